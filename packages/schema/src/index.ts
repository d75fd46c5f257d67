// The public API of @org/vmware-events-schema: named exports only, nothing else is public.

// --- errors ---
export {
  ERROR_CODES,
  VmwEventsError,
  SchemaValidationError,
  isVmwEventsError,
  isSchemaValidationError,
  hasErrorCode,
} from './errors.js';
export type { ErrorCode, VmwEventsErrorOptions, ValidationIssue } from './errors.js';

// --- types and validators (schemas/, src/generated/) ---
export { EventDecodeError, isEventDecodeError } from './errors.js';
export {
  OPERATIONS,
  RESOURCE_OPERATIONS,
  STATE_OPERATIONS,
  OPERATION_DETAILS,
  DOMAIN_EVENT_TYPES,
  CURRENT_SCHEMA_VERSION,
} from './generated/constants.js';
export type {
  VmOperationEvent,
  ResourceOperationEvent,
  StateOperationEvent,
  ResourceOperationInfo,
  StateOperationInfo,
  ResourceOperation,
  StateOperation,
  VmData,
  CompleteVmData,
  VcenterEventInfo,
  OperationDetail,
  RelatedVm,
} from './generated/vm-operation-event.types.js';
export type {
  DomainEvent,
  CreateDomainEvent,
  UpdateDomainEvent,
  DeleteDomainEvent,
  DeleteAllDomainEvent,
} from './generated/domain-event.types.js';
export type { Operation, OperationInfo, DomainEventType, VmOperationEventOf } from './validate.js';
export {
  SUPPORTED_SCHEMA_VERSIONS,
  isResourceOperationEvent,
  validateVmOperationEvent,
  validateVmOperationEventTrustingEnvelope,
  assertVmOperationEvent,
  parseVmOperationEvent,
  validateDomainEvent,
  assertDomainEvent,
  parseDomainEvent,
  validateEventHeaders,
} from './validate.js';
export type { ValidationResult } from './validate.js';

// --- conventions: keys, topics, headers ---
export {
  InvalidTopicNameError,
  InvalidKeyError,
  InvalidHeaderError,
  InvalidEventIdError,
  isInvalidTopicNameError,
  isInvalidKeyError,
  isInvalidHeaderError,
  isInvalidEventIdError,
} from './errors.js';
export {
  KEY_STRATEGIES,
  KEY_SEPARATOR,
  MAX_KEY_BYTES,
  DELETE_ALL_KEY,
  isKeyStrategy,
  buildKey,
  buildEventKey,
  parseKey,
  buildDomainEventKey,
} from './keys.js';
export type { KeyStrategy, KeyParts, KeyedEvent, ParsedKey, DomainEntity } from './keys.js';
export {
  CANONICAL_TOPIC,
  DEAD_LETTER_SUFFIX,
  RAW_SUFFIX,
  MAX_TOPIC_NAME_LENGTH,
  RESERVED_TOPIC_SEGMENTS,
  RETRY_SEGMENT,
  validateTopicName,
  assertTopicName,
  topicsCollide,
  environmentTopic,
  teamTopic,
  deadLetterTopic,
  rawEventsTopic,
  retryTopic,
  domainTopic,
} from './topics.js';
export type { DomainTopicParts } from './topics.js';
export {
  HEADER_NAMES,
  CLOUDEVENTS_SPEC_VERSION,
  EVENT_CONTENT_TYPE,
  CLOUDEVENT_TYPE_PREFIX,
  DOMAIN_CLOUDEVENT_TYPE_PREFIX,
  cloudEventType,
  isTraceparent,
  buildEventHeaders,
  buildDomainEventHeaders,
  decodeHeaders,
  readHeader,
  readEventHeaders,
  toCloudEvent,
  fromCloudEventHeaders,
  HeaderValueCache,
} from './headers.js';
export type {
  HeaderName,
  EventHeaders,
  ReadHeaders,
  KafkaHeaders,
  HeaderSourceEvent,
  HeaderSourceDomainEvent,
  DomainEventHeaderOptions,
  TraceContext,
  CloudEventAttributes,
  CloudEvent,
  WireHeaders,
} from './headers.js';
export {
  UUID_NAMESPACE_DNS,
  UUID_NAMESPACE_URL,
  EVENT_ID_NAMESPACE,
  EVENT_ID_SEPARATOR,
  randomEventId,
  uuidV5,
  deriveEventId,
  isUuid,
} from './event-id.js';

// --- the record codec: what goes on the wire ---
export {
  RECORD_OVERHEAD_BYTES,
  RECORD_BATCH_OVERHEAD_BYTES,
  CLOUDEVENT_JSON_CONTENT_TYPE,
  encodeVmOperationEvent,
  encodeVmOperationEvents,
  encodeDomainEvent,
  encodeStructuredCloudEvent,
  decodeRecord,
  decodeVmOperationEventValue,
  recordSize,
} from './codec.js';
export type {
  VmOperationEventInput,
  EncodeOptions,
  BatchEncodeOptions,
  EventRecord,
  WireRecord,
  DomainEncodeOptions,
  DomainEventRecord,
  KafkaRecordParts,
  DecodedRecord,
  ValueDecoder,
} from './codec.js';

// --- compatibility checker ---
export { COMPATIBILITY_MODES, COMPATIBILITY_RULES } from './compat/types.js';
export type {
  JsonSchema,
  CompatibilityMode,
  CompatibilityRule,
  CompatibilityDirection,
  CompatibilityIssue,
  CompatibilityResult,
  HistoryCompatibilityIssue,
  HistoryCompatibilityResult,
  CheckedPair,
  CompatibilityOptions,
} from './compat/types.js';
export {
  checkCompatibility,
  checkSchemaHistory,
  assertCompatible,
  isCompatibilityMode,
} from './compat/check.js';
export {
  InvalidSchemaFileError,
  IncompatibleSchemaError,
  isInvalidSchemaFileError,
  isIncompatibleSchemaError,
} from './compat/errors.js';
export { readSchemaFile } from './compat/files.js';
export { runCli as runSchemaCli, CLI_EXIT as SCHEMA_CLI_EXIT } from './compat/cli-main.js';
export type { CliIo as SchemaCliIo, CliOptions as SchemaCliOptions } from './compat/cli-main.js';
