// The public API of @org/vmware-events-producer: named exports only.

export { createProducer } from './producer.js';
export type { EventProducer } from './producer.js';
export { producerOptionsSchema, parseProducerOptions, ProducerOptionsError } from './options.js';
export type { ProducerOptions, ResolvedProducerOptions, OptionIssue } from './options.js';
export {
  PRODUCER_ERROR_CODES,
  ProducerError,
  ProducerClosedError,
  ProducerNotConnectedError,
  AuthenticationError,
  AuthorizationError,
  UnknownTopicError,
  MessageTooLargeError,
  BrokerUnavailableError,
  BufferFullError,
  SendFailedError,
  NotAcknowledgedError,
  isProducerError,
} from './errors.js';
export type { ProducerErrorCode } from './errors.js';
export type {
  ProducerLogger,
  VmOperationEventInput,
  PublishOptions,
  PublishBatchOptions,
  DomainPublishOptions,
  DomainEventInput,
  PublishResult,
} from './types.js';
export { partitionForKey } from './internal/partitioner.js';
