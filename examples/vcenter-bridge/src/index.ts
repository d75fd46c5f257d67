// The bridge as a library (for embedding and tests): named exports only. The process entry point is main.ts.

/** Create a bridge from a parsed configuration. */
export { createBridge, renderMetrics } from './bridge.js';
export type { Bridge, BridgeDeps } from './bridge.js';
export { parseConfig, envSchema } from './config.js';
export type { BridgeConfig, VcenterTarget } from './config.js';
export { FileCheckpointStore, isKeyAfter } from './checkpoint.js';
export type { Checkpoint, CheckpointStore } from './checkpoint.js';
export {
  EVENT_CLASS_RULES,
  TASK_RULES,
  EVENT_TYPE_RULES,
  classify,
  ruleOf,
  mapEvent,
  operationOf,
  toRawCloudEvent,
  eventIdOf,
} from './mapping.js';
export type {
  Classification,
  EventRule,
  MappedEvent,
  MappingContext,
  MappingFacts,
  MappingResult,
  VmFacts,
} from './mapping.js';
export { EVENT_CLASS_PARENTS } from './generated/event-classes.js';
export { createKafkaSink } from './sink.js';
export type { EventSink, SinkRecord, KafkaSinkOptions } from './sink.js';
export {
  BridgeError,
  BridgeConfigError,
  SoapFaultError,
  isBridgeError,
  BRIDGE_ERROR_CODES,
} from './errors.js';
export type { BridgeErrorCode } from './errors.js';
export { createJsonLogger, silentLogger } from './logger.js';
export type { Logger, LogFields } from './logger.js';
export { VsphereClient } from './soap/client.js';
export type {
  ServiceContent,
  VmHardware,
  VmProperties,
  MoRef,
  EventFilter,
  VsphereClientOptions,
} from './soap/client.js';
export { parseVcenterEvent } from './vcenter-event.js';
export type { VcenterEvent } from './vcenter-event.js';
export type { WorkerStats } from './worker.js';
