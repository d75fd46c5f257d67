/**
 * The record codec: the one place that says what goes on the wire. It turns a VM operation event into the Kafka
 * record the SDK writes (`{ key, value, headers }`) and a record back into a validated event, in the style of the
 * CloudEvents SDK's Kafka binding (binary mode): pure functions, no client; the header table in headers.ts drives
 * both directions. The producer, the consumer, the consumer's test pipeline, the bridge and the benchmarks call it.
 *
 *   encodeVmOperationEvent: defaults (event id, schema version, correlation id, source, timestamp) → validation →
 *                           key (key strategy) → headers (header table, trace context) → JSON value
 *   decodeRecord:           headers (UTF-8) → key → value (UTF-8 → JSON → validation by declared version)
 *   recordSize:             what the record weighs in a record batch, for a topic's max.message.bytes
 */
import {
  EventDecodeError,
  SchemaValidationError,
  VmwEventsError,
  isSchemaValidationError,
} from './errors.js';
import type { ValidationIssue } from './errors.js';
import { deriveEventId, randomEventId } from './event-id.js';
import { CURRENT_SCHEMA_VERSION } from './generated/constants.js';
import type { VmOperationEvent } from './generated/vm-operation-event.types.js';
import type { DomainEvent } from './generated/domain-event.types.js';
import { HEADER_NAMES, buildDomainEventHeaders, decodeHeaders, writeEventHeaders } from './headers.js';
import type {
  CloudEventAttributes,
  DomainEventHeaderOptions,
  EventHeaders,
  HeaderValueCache,
  KafkaHeaders,
  TraceContext,
  WireHeaders,
} from './headers.js';
import { IsoClock } from './internal/clock.js';
import { buildDomainEventKey, buildEventKey } from './keys.js';
import type { DomainEntity, KeyStrategy } from './keys.js';
import {
  SUPPORTED_SCHEMA_VERSIONS,
  assertDomainEvent,
  parseVmOperationEvent,
  validateVmOperationEvent,
} from './validate.js';

type Optional<T, K extends PropertyKey> = Omit<T, K> & Partial<Pick<T, Extract<keyof T, K>>>;
type WithDefaults<T> = T extends { operationInfo: infer TInfo extends { timestamp: string } }
  ? Optional<Omit<T, 'operationInfo'> & { operationInfo: Optional<TInfo, 'timestamp'> }, DefaultedField>
  : never;
type DefaultedField = 'eventId' | 'schemaVersion' | 'correlationId' | 'source';

/**
 * A VM operation event as a caller writes it: `eventId`, `schemaVersion`, `correlationId`, `source` and
 * `operationInfo.timestamp` may be left out; {@link encodeVmOperationEvent} fills them in.
 */
export type VmOperationEventInput = WithDefaults<VmOperationEvent>;

/** What {@link encodeVmOperationEvent} needs besides the event. */
export interface EncodeOptions extends TraceContext {
  /** The record key strategy. Default `vmId`. */
  keyStrategy?: KeyStrategy;
  /** The `source` of an event that carries none (a URI-reference, e.g. `urn:vmware-events:service:provisioner`). */
  source?: string;
  /**
   * The event's natural identity, e.g. `[vcenterInstanceUuid, eventKey]`: the event id becomes
   * `deriveEventId(...identity)`, so a re-sent event keeps its id (an event that carries an id must agree with it).
   */
  identity?: ReadonlyArray<string | number>;
  /** The current time as RFC 3339 UTC, for a missing `operationInfo.timestamp`. Default: the system clock. */
  now?: () => string;
  /**
   * Keeps the checked bytes of header values that repeat (a producer holds one): the record's headers then carry
   * them as shared `Buffer`s (see {@link WireRecord}). The same names, order and text as without it.
   */
  headerCache?: HeaderValueCache;
}

/** A record as the SDK writes it: the key, the event as JSON text, and the contract headers (all UTF-8 strings). */
export interface EventRecord {
  /** The record key (see the key strategies). */
  key: string;
  /** The event as JSON. */
  value: string;
  /** The contract headers, `eventId` among them. */
  headers: EventHeaders;
}

/** An {@link EventRecord} encoded with a {@link HeaderValueCache}: repeating header values are shared bytes. */
export interface WireRecord {
  /** The record key. */
  key: string;
  /** The event as JSON. */
  value: string;
  /** The contract headers; repeating values as `Buffer`s. */
  headers: WireHeaders;
  /** The event id (also the `eventId` header). */
  eventId: string;
}

/** A record as a Kafka client hands it over: bytes or strings, `null` for a missing key or a tombstone. */
export interface KafkaRecordParts {
  /** The record key. */
  key: Buffer | Uint8Array | string | null | undefined;
  /** The record value. */
  value: Buffer | Uint8Array | string | null | undefined;
  /** The record headers (kafkajs `IHeaders` shape). */
  headers?: KafkaHeaders | undefined;
}

/** A record read back: the validated event, the key as text and the headers as UTF-8 strings. */
export interface DecodedRecord<TEvent = VmOperationEvent> {
  /** The validated event. */
  event: TEvent;
  /** The record key as UTF-8 text, or null. */
  key: string | null;
  /** Every header as UTF-8 text (a repeated header gives its first value). */
  headers: Record<string, string>;
}

/** The value reader of {@link decodeRecord}: bytes (or null for a tombstone) → validated event; throws when not. */
export type ValueDecoder<TEvent> = (value: Buffer | null) => TEvent;

/** Bytes a record adds to a record batch besides its key, value and header bytes (a generous upper bound). */
export const RECORD_OVERHEAD_BYTES = 32;

/** Bytes of a record batch's own header: what a request adds once to its records for one partition. */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;

const systemClock = new IsoClock();
const now = (): string => systemClock.now();

/**
 * The record of a VM operation event: fills in the defaults (in a copy; the input is never changed), validates the
 * result against the schema, builds the key with the key strategy and the headers from the header table, and writes
 * the JSON value.
 *
 * @example encodeVmOperationEvent({ operationInfo: { operation: 'power_on', vmId: 'vm-1', … } }, { source })
 *   // { key: 'vm-1', value: '{"operationInfo":…}', headers: { env: 'DEV', …, ce_subject: 'vm-1' } }
 * @throws SchemaValidationError listing every problem of the event (the schema's, a schema version this SDK does
 *   not write, a missing source); InvalidKeyError or InvalidHeaderError naming a part no key or header may carry;
 *   VmwEventsError `INVALID_OPTIONS` when the event's own id disagrees with its identity.
 */
export function encodeVmOperationEvent(
  input: VmOperationEventInput,
  options: EncodeOptions & { headerCache: HeaderValueCache },
): WireRecord;
export function encodeVmOperationEvent(input: VmOperationEventInput, options?: EncodeOptions): EventRecord;
export function encodeVmOperationEvent(
  input: VmOperationEventInput,
  options: EncodeOptions = {},
): EventRecord | WireRecord {
  const event = withDefaults(input, options);
  const key = buildEventKey(event, options.keyStrategy);
  const headers = writeEventHeaders(event, options, options.headerCache);
  const value = JSON.stringify(event);
  return options.headerCache === undefined
    ? { key, value, headers: headers as EventHeaders }
    : { key, value, headers, eventId: event.eventId };
}

/** Options of {@link encodeVmOperationEvents}: those of one event, the identity given per event. */
export interface BatchEncodeOptions extends Omit<EncodeOptions, 'identity'> {
  /** An event's natural identity (see {@link EncodeOptions.identity}); undefined for a random id. */
  identityOf?: (input: VmOperationEventInput, index: number) => ReadonlyArray<string | number> | undefined;
}

/**
 * {@link encodeVmOperationEvent} for several events, each validated before any record is made: when one is
 * invalid, the SchemaValidationError lists the problems of every event, each path prefixed with the event's index
 * (`/3/operationInfo/tenantId`).
 */
export function encodeVmOperationEvents(
  inputs: readonly VmOperationEventInput[],
  options: BatchEncodeOptions & { headerCache: HeaderValueCache },
): WireRecord[];
export function encodeVmOperationEvents(
  inputs: readonly VmOperationEventInput[],
  options?: BatchEncodeOptions,
): EventRecord[];
export function encodeVmOperationEvents(
  inputs: readonly VmOperationEventInput[],
  options: BatchEncodeOptions = {},
): Array<EventRecord | WireRecord> {
  const records: Array<EventRecord | WireRecord> = [];
  const issues: ValidationIssue[] = [];
  let schema = '';
  const { identityOf, ...common } = options;
  inputs.forEach((input, index) => {
    const identity = identityOf?.(input, index);
    try {
      records.push(encodeVmOperationEvent(input, identity === undefined ? common : { ...common, identity }));
    } catch (error) {
      if (!isSchemaValidationError(error)) throw error;
      schema = error.schema;
      for (const issue of error.issues) issues.push({ ...issue, path: `/${index}${issue.path}` });
    }
  });
  if (issues.length > 0) throw new SchemaValidationError(schema, issues);
  return records;
}

/** The event with its defaults, validated; throws a SchemaValidationError with every problem. */
function withDefaults(input: VmOperationEventInput, options: EncodeOptions): VmOperationEvent {
  const raw = input as Partial<VmOperationEvent> & Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SchemaValidationError('vm-operation-event', [
      { path: '', message: 'must be an object', keyword: 'type', params: {} },
    ]);
  }
  const eventId = eventIdOf(raw.eventId, options.identity);
  const info = raw.operationInfo as Partial<VmOperationEvent['operationInfo']> | undefined;
  const needsTime = info !== null && typeof info === 'object' && info.timestamp === undefined;
  const event = {
    ...raw,
    schemaVersion: raw.schemaVersion ?? CURRENT_SCHEMA_VERSION,
    eventId,
    source: raw.source ?? options.source,
    correlationId: raw.correlationId ?? eventId,
    operationInfo: needsTime ? { ...info, timestamp: (options.now ?? now)() } : info,
  };
  const result = validateVmOperationEvent(event);
  const written = SUPPORTED_SCHEMA_VERSIONS.includes(event.schemaVersion);
  if (result.valid && written && event.source !== undefined) return result.value;
  throw new SchemaValidationError(
    `vm-operation-event@${CURRENT_SCHEMA_VERSION}`,
    withEncoderIssues(result.valid ? [] : result.issues, event, written),
  );
}

/** The event id: the event's own, derived from its identity, or random. */
function eventIdOf(given: string | undefined, identity: ReadonlyArray<string | number> | undefined): string {
  if (identity === undefined || identity.length === 0) return given ?? randomEventId();
  const derived = deriveEventId(...identity);
  if (given !== undefined && given !== derived) {
    throw new VmwEventsError(
      'INVALID_OPTIONS',
      `The event carries eventId ${given} but its identity gives ${derived}; pass one or the other`,
    );
  }
  return derived;
}

/** Validation issues, then the encoder's own (a version it does not write, no source), without repeats. */
function withEncoderIssues(
  issues: ValidationIssue[],
  event: { schemaVersion: unknown; source: unknown },
  written: boolean,
): ValidationIssue[] {
  if (!written) {
    issues.push({
      path: '/schemaVersion',
      keyword: 'schemaVersion',
      message: `this SDK writes vm-operation-event ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}; got '${String(event.schemaVersion)}'`,
      params: { supported: SUPPORTED_SCHEMA_VERSIONS },
    });
  }
  if (event.source === undefined) {
    issues.push({
      path: '/source',
      keyword: 'required',
      message: "must have required property 'source' (or set the source option)",
      params: { missingProperty: 'source' },
    });
  }
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const id = `${issue.path}\u0000${issue.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

/** What {@link encodeDomainEvent} needs besides the event: its header options, and how to read the entity id. */
export interface DomainEncodeOptions extends Omit<DomainEventHeaderOptions, 'subject'> {
  /** Natural identity to derive the event id from (see {@link EncodeOptions.identity}). */
  identity?: ReadonlyArray<string | number>;
  /** Reads the entity id used as the key; default `entity.id`. Ignored for DELETE_ALL (nil UUID). */
  idOf?: (entity: DomainEntity) => unknown;
}

/** A domain event's record: key (the entity id), headers and JSON value. */
export interface DomainEventRecord {
  /** The entity id, or the nil UUID for DELETE_ALL. */
  key: string;
  /** The event as JSON. */
  value: string;
  /** The domain-event headers (`ce_subject` is the key), `eventId` among them. */
  headers: Record<string, string>;
}

/**
 * The record of a domain event (seed 002): validated against `domain-event`, keyed by its entity id (the nil UUID for
 * DELETE_ALL), with the domain-event headers.
 *
 * @throws SchemaValidationError, InvalidKeyError, InvalidHeaderError, or VmwEventsError `INVALID_OPTIONS` when
 *   `eventId` disagrees with `identity`.
 */
export function encodeDomainEvent(event: DomainEvent, options: DomainEncodeOptions): DomainEventRecord {
  assertDomainEvent(event);
  const key = buildDomainEventKey(event, options.idOf);
  const { identity, idOf: _idOf, ...headerOptions } = options;
  const eventId = eventIdOf(options.eventId, identity);
  const headers = buildDomainEventHeaders(event, { ...headerOptions, eventId, subject: key });
  return { key, value: JSON.stringify(event), headers };
}

/** The content type of a structured-mode CloudEvent record (the CloudEvents JSON format). */
export const CLOUDEVENT_JSON_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/**
 * A CloudEvent as a structured-mode record (the CloudEvents Kafka binding): the whole CloudEvent as JSON in the
 * value, `content-type: application/cloudevents+json`. The bridge writes vCenter events it cannot map this way.
 */
export function encodeStructuredCloudEvent(
  cloudEvent: CloudEventAttributes & { data?: unknown },
  key: string | null,
): { key: string | null; value: string; headers: Record<string, string> } {
  return {
    key,
    value: JSON.stringify(cloudEvent),
    headers: { [HEADER_NAMES.contentType]: CLOUDEVENT_JSON_CONTENT_TYPE },
  };
}

/**
 * Reads a record: its headers as UTF-8 text (see `decodeHeaders`), its key as text, and its value as a validated
 * event, by default a VM operation event validated against the schema version it declares (a newer minor of a
 * known major leniently).
 *
 * @throws EventDecodeError (`INVALID_JSON`) when the value is missing (a tombstone), not UTF-8 or not JSON;
 *   SchemaValidationError when it is not a valid event; whatever a custom `decodeValue` throws.
 */
export function decodeRecord(record: KafkaRecordParts): DecodedRecord;
export function decodeRecord<TEvent>(
  record: KafkaRecordParts,
  decodeValue: ValueDecoder<TEvent>,
): DecodedRecord<TEvent>;
export function decodeRecord<TEvent>(
  record: KafkaRecordParts,
  decodeValue: ValueDecoder<TEvent> = decodeVmOperationEventValue as unknown as ValueDecoder<TEvent>,
): DecodedRecord<TEvent> {
  const headers = decodeHeaders(record.headers);
  const key = record.key === null || record.key === undefined ? null : toText(record.key);
  const value = record.value === null || record.value === undefined ? null : toBuffer(record.value);
  return { event: decodeValue(value), key, headers };
}

/** The default value reader: a VM operation event (UTF-8 → JSON → validation by the version it declares). */
export function decodeVmOperationEventValue(value: Buffer | null): VmOperationEvent {
  if (value === null) {
    throw new EventDecodeError('Record has no value (a tombstone); expected a VM operation event');
  }
  return parseVmOperationEvent(value);
}

/**
 * What a record weighs in a record batch: its key, value, header names and values in UTF-8, plus
 * {@link RECORD_OVERHEAD_BYTES}. A request of one partition's records fits a topic's `max.message.bytes` when the
 * sum of its records' sizes plus {@link RECORD_BATCH_OVERHEAD_BYTES} does.
 */
export function recordSize(record: {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Readonly<Record<string, string | Buffer>> | undefined;
}): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  const headers = record.headers;
  if (headers !== undefined) {
    for (const name in headers) size += Buffer.byteLength(name) + byteLength(headers[name]!) + 4;
  }
  return size;
}

function byteLength(value: string | Buffer | null): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

function toText(value: Buffer | Uint8Array | string): string {
  return typeof value === 'string' ? value : toBuffer(value).toString('utf8');
}

function toBuffer(value: Buffer | Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
