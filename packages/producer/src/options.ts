/**
 * Producer options: one zod schema with its defaults, parsed once by `createProducer`. Callers write
 * {@link ProducerOptions} (`z.input`); the producer works with {@link ResolvedProducerOptions} (`z.output`).
 * Parsing builds a new object: the caller's object is never modified.
 */
import { z } from 'zod';
import { KEY_STRATEGIES, VmwEventsError, assertTopicName, teamTopic } from '@org/vmware-events-schema';
import type { ProducerLogger } from './types.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^\s:/[\]]+):\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:9092"');

const pem = z.union([z.string(), z.instanceof(Buffer)]);
const tls = z.strictObject({
  /** CA certificates to trust (PEM). */
  ca: z.union([pem, z.array(pem)]).optional(),
  /** Client certificate chain (PEM), for mutual TLS. */
  cert: z.union([pem, z.array(pem)]).optional(),
  /** Client private key (PEM), for mutual TLS. */
  key: z.union([pem, z.array(pem)]).optional(),
  /** Passphrase of the private key. */
  passphrase: z.string().optional(),
  /** Reject brokers whose certificate does not verify (default true). */
  rejectUnauthorized: z.boolean().optional(),
  /** Server name for SNI and certificate checks. */
  servername: z.string().optional(),
});

const credentials = {
  username: z.string().min(1, 'must not be empty'),
  password: z.string().min(1, 'must not be empty'),
};
const sasl = z.discriminatedUnion('mechanism', [
  z.strictObject({ mechanism: z.literal('plain'), ...credentials }),
  z.strictObject({ mechanism: z.literal('scram-sha-256'), ...credentials }),
  z.strictObject({ mechanism: z.literal('scram-sha-512'), ...credentials }),
]);

const topicNaming = z.union([
  z.literal('canonical'),
  z.literal('environment'),
  z.strictObject({ team: z.string() }),
  z.strictObject({ name: z.string() }),
]);

const logger = z.custom<ProducerLogger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (m) => typeof (value as Record<string, unknown>)[m] === 'function',
    ),
  'must be an object with debug, info, warn and error methods',
);

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** The option schema (exported for documentation and tests). */
export const producerOptionsSchema = z
  .strictObject({
    /** Bootstrap brokers, `host:port`. */
    brokers: z.array(hostPort).min(1, 'needs at least one "host:port"'),
    /** Client id sent to the brokers (quotas, broker logs). */
    clientId: z.string().min(1).default('vmware-events-producer'),
    /** TLS: `true` for the system CAs, or TLS settings. */
    ssl: z.union([z.boolean(), tls]).default(false),
    /** SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); use with TLS outside a lab. */
    sasl: sasl.optional(),
    /** Connection timeout (ms). */
    connectionTimeoutMs: positiveInt.default(3_000),
    /** Request timeout (ms): how long to wait for a broker's answer. */
    requestTimeoutMs: positiveInt.default(30_000),
    /**
     * How long (ms, from a record's first send) the producer keeps re-sending a record whose partition the brokers
     * did not acknowledge; no re-send starts after it, and the record fails with a NotAcknowledgedError.
     */
    deliveryTimeoutMs: positiveInt.default(120_000),
    /** The `source` of events that do not carry one (a URI-reference, e.g. `urn:vmware-events:service:provisioner`). */
    source: z.string().min(1).optional(),
    /** The record key strategy. */
    keyStrategy: z.enum(KEY_STRATEGIES).default('vmId'),
    /** Topic naming: `canonical` (`vmware.events`), `environment` (`vmware.events.<env>`), `{ team }`, or `{ name }`. */
    topic: topicNaming.default('canonical'),
    /** Environment for domain events (`ENV`), when not given per call. */
    environment: z.string().min(1).optional(),
    /** Module name for domain events, when not given per call. */
    module: z.string().min(1).optional(),
    /** Compression of record batches. lz4, zstd and snappy use bundled pure-JS / WASM codecs. */
    compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
    /** How long a record may wait for others to share its batch (ms). 0 sends as soon as the previous send is done. */
    lingerMs: nonNegativeInt.default(5),
    /** A batch is sent as soon as this many bytes are queued. */
    batchSizeBytes: positiveInt.default(512 * 1024),
    /** Queued plus in-flight bytes allowed; beyond it publish waits (back-pressure). */
    bufferMemoryBytes: positiveInt.default(32 * 1024 * 1024),
    /** How long publish waits for buffer space before failing with a BufferFullError (ms). */
    maxBlockMs: nonNegativeInt.default(60_000),
    /** Retries of a failed send (the idempotent producer makes them safe), with exponential backoff. */
    retry: z
      .strictObject({
        retries: z
          .number()
          .int()
          .min(1, 'must be at least 1: the idempotent producer needs retries')
          .default(10),
        initialRetryTimeMs: positiveInt.default(300),
        maxRetryTimeMs: positiveInt.default(10_000),
      })
      .default({ retries: 10, initialRetryTimeMs: 300, maxRetryTimeMs: 10_000 }),
    /** Fallback `max.message.bytes` when the topic's cannot be read (no DESCRIBE_CONFIGS permission). */
    defaultMaxMessageBytes: positiveInt.default(1_048_588),
    /** How long a topic's metadata (max.message.bytes, existence) is cached (ms). */
    topicMetadataTtlMs: nonNegativeInt.default(5 * 60_000),
    /** `auto`: add `traceparent` from OpenTelemetry when `@opentelemetry/api` is installed; `off`: never. */
    traceContext: z.enum(['auto', 'off']).default('auto'),
    /** Where log lines go (default: nowhere). Never receives credentials or usernames. */
    logger: logger.optional(),
    /** Minimum level of kafkajs's own log lines forwarded to the logger. */
    kafkaLogLevel: z.enum(['nothing', 'error', 'warn', 'info', 'debug']).default('warn'),
  })
  .superRefine((o, ctx) => {
    if (o.bufferMemoryBytes < o.batchSizeBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['bufferMemoryBytes'],
        message: `must be at least batchSizeBytes (${o.batchSizeBytes}), or batches could never fill`,
      });
    }
    if (o.deliveryTimeoutMs < o.requestTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryTimeoutMs'],
        message: `must be at least requestTimeoutMs (${o.requestTimeoutMs}), or no re-send could get an answer in time`,
      });
    }
    if (o.retry.initialRetryTimeMs > o.retry.maxRetryTimeMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'initialRetryTimeMs'],
        message: `must not exceed retry.maxRetryTimeMs (${o.retry.maxRetryTimeMs})`,
      });
    }
    if (typeof o.topic === 'object') {
      try {
        if ('team' in o.topic) teamTopic(o.topic.team);
        else assertTopicName(o.topic.name);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['topic', 'team' in o.topic ? 'team' : 'name'],
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  });

/** Producer options as a caller writes them (defaults optional). */
export type ProducerOptions = z.input<typeof producerOptionsSchema>;

/** Producer options with every default resolved. */
export type ResolvedProducerOptions = z.output<typeof producerOptionsSchema>;

/** One problem with the options: the option's path and what is wrong. */
export interface OptionIssue {
  /** Dotted path of the option, e.g. `retry.maxRetryTimeMs` or `brokers.0`. */
  path: string;
  /** What is wrong, for a person. */
  message: string;
}

/** The options are invalid; `issues` names every bad option. Never contains option values (they may be secrets). */
export class ProducerOptionsError extends VmwEventsError {
  /** Every problem found. */
  readonly issues: readonly OptionIssue[];
  constructor(issues: readonly OptionIssue[]) {
    super(
      'INVALID_OPTIONS',
      `Invalid producer options:\n${issues.map((i) => `  - ${i.path || '(options)'}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ProducerOptionsError';
    this.issues = issues;
  }
}

/** Parses and checks producer options; throws a ProducerOptionsError naming every bad option. */
export function parseProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const result = producerOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  throw new ProducerOptionsError(
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message,
    })),
  );
}
