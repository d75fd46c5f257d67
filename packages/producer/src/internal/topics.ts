/**
 * Topics: which topic a record goes to (`TopicRouter`), and how large a record and a request to a topic may be
 * (`TopicLimits`: the topic's `max.message.bytes`, read from the broker and cached for `topicMetadataTtlMs`; the size
 * check; the split of one topic's records into requests that fit).
 */
import type { Admin } from 'kafkajs';
import {
  CANONICAL_TOPIC,
  RECORD_BATCH_OVERHEAD_BYTES,
  assertTopicName,
  environmentTopic,
  teamTopic,
} from '@org/vmware-events-schema';
import {
  AuthorizationError,
  MessageTooLargeError,
  ProducerClosedError,
  UnknownTopicError,
} from '../errors.js';
import type { ResolvedProducerOptions } from '../options.js';
import type { ProducerLogger } from '../types.js';
import { mapKafkaError, rootCause } from './error-mapping.js';
import type { ErrorContext } from './error-mapping.js';
import type { OutRecord } from './record.js';

/** Names the topic of each record from the producer's `topic` option. */
export class TopicRouter {
  private readonly fixedTopic: string | undefined;
  /** Environment → topic, for the `environment` option (bounded: environments are few). */
  private readonly envTopics = new Map<string, string>();

  constructor(topic: ResolvedProducerOptions['topic']) {
    this.fixedTopic =
      topic === 'canonical'
        ? CANONICAL_TOPIC
        : topic === 'environment'
          ? undefined
          : 'team' in topic
            ? teamTopic(topic.team)
            : topic.name;
  }

  /** The topic of an event of `environment`: the call's `override` (checked), or the producer's topic option. */
  topicFor(environment: string, override: string | undefined): string {
    if (override !== undefined) {
      assertTopicName(override);
      return override;
    }
    if (this.fixedTopic !== undefined) return this.fixedTopic;
    let topic = this.envTopics.get(environment);
    if (topic === undefined) {
      topic = environmentTopic(environment);
      if (this.envTopics.size < 1000) this.envTopics.set(environment, topic);
    }
    return topic;
  }
}

interface TopicInfo {
  maxMessageBytes: number;
  expiresAt: number;
}

/** What {@link TopicLimits} needs. */
export interface TopicLimitsOptions {
  /** A new kafkajs admin client (connected by {@link TopicLimits.connect}). */
  newAdmin: () => Admin;
  /** The limit when the principal may not read the topic's configuration. */
  defaultMaxMessageBytes: number;
  /** How long a topic's limit is trusted, ms. */
  topicMetadataTtlMs: number;
  errorContext: ErrorContext;
  log: ProducerLogger;
}

/** Each topic's `max.message.bytes`, read with its own admin client (see the module comment). */
export class TopicLimits {
  private readonly opts: TopicLimitsOptions;
  private readonly info = new Map<string, TopicInfo>();
  private readonly pending = new Map<string, Promise<TopicInfo>>();
  private admin: Admin | undefined;

  constructor(options: TopicLimitsOptions) {
    this.opts = options;
  }

  /** Connects the admin client. */
  async connect(): Promise<void> {
    const admin = this.opts.newAdmin();
    try {
      await admin.connect();
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    this.admin = admin;
  }

  /** Disconnects the admin client; later loads fail with ProducerClosedError. */
  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect();
  }

  /** The topic's limit when it is cached and fresh, else undefined (then {@link load} it). */
  cached(topic: string, now: number): number | undefined {
    const info = this.info.get(topic);
    return info === undefined || info.expiresAt <= now ? undefined : info.maxMessageBytes;
  }

  /** The topic's limit, fresh from the cache or read from the broker (one read per topic at a time). */
  async load(topic: string): Promise<number> {
    const cached = this.cached(topic, Date.now());
    if (cached !== undefined) return cached;
    let pending = this.pending.get(topic);
    if (pending === undefined) {
      pending = this.fetch(topic).finally(() => this.pending.delete(topic));
      this.pending.set(topic, pending);
    }
    return (await pending).maxMessageBytes;
  }

  /** The limit to split requests by: the last one read (even if stale), else the default. */
  requestLimit(topic: string): number {
    return this.info.get(topic)?.maxMessageBytes ?? this.opts.defaultMaxMessageBytes;
  }

  private async fetch(topic: string): Promise<TopicInfo> {
    const admin = this.admin;
    if (admin === undefined) throw new ProducerClosedError('publish');
    const { errorContext, log } = this.opts;
    const ctx = { ...errorContext, topic };
    let maxMessageBytes = this.opts.defaultMaxMessageBytes;
    try {
      const described = await admin.describeConfigs({
        resources: [
          { type: 2 /* ConfigResourceTypes.TOPIC */, name: topic, configNames: ['max.message.bytes'] },
        ],
        includeSynonyms: false,
      });
      const resource = described.resources[0];
      if (resource && resource.errorCode !== 0) {
        throw Object.assign(new Error(resource.errorMessage ?? 'describeConfigs failed'), {
          type: resource.errorCode === 3 ? 'UNKNOWN_TOPIC_OR_PARTITION' : undefined,
          code: resource.errorCode,
        });
      }
      const value = resource?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue;
      if (value !== undefined && Number.isFinite(Number(value))) maxMessageBytes = Number(value);
    } catch (error) {
      const root = rootCause(error) as { type?: string; code?: number } | null;
      const type = root?.type;
      if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || root?.code === 3)
        throw new UnknownTopicError(topic, error);
      if (type !== 'TOPIC_AUTHORIZATION_FAILED' && root?.code !== 29) throw mapKafkaError(error, ctx);
      // No DESCRIBE_CONFIGS permission: fall back to the default limit, and check the topic exists.
      log.debug('cannot read max.message.bytes; using the default limit', { topic, limit: maxMessageBytes });
      try {
        await admin.fetchTopicMetadata({ topics: [topic] });
      } catch (metaError) {
        const metaRoot = rootCause(metaError) as { type?: string } | null;
        if (metaRoot?.type === 'TOPIC_AUTHORIZATION_FAILED') {
          throw new AuthorizationError(topic, errorContext.principal, 'DESCRIBE', metaError);
        }
        if (metaRoot?.type === 'UNKNOWN_TOPIC_OR_PARTITION') throw new UnknownTopicError(topic, metaError);
        throw mapKafkaError(metaError, ctx);
      }
    }
    const info = { maxMessageBytes, expiresAt: Date.now() + this.opts.topicMetadataTtlMs };
    this.info.set(topic, info);
    return info;
  }
}

/**
 * The record's size, when a batch of it alone fits its topic's `maxMessageBytes`.
 * @throws MessageTooLargeError when it does not.
 */
export function checkRecordSize(record: OutRecord, maxMessageBytes: number): number {
  if (record.size + RECORD_BATCH_OVERHEAD_BYTES > maxMessageBytes) {
    throw new MessageTooLargeError(
      record.topic,
      record.size + RECORD_BATCH_OVERHEAD_BYTES,
      maxMessageBytes,
      record.eventId,
    );
  }
  return record.size;
}

/**
 * Splits one topic's records (positions in `records`, in order) so that no request carries more than the topic's
 * `maxMessageBytes`; a record that alone exceeds it (never admitted: see {@link checkRecordSize}) still gets a request.
 */
export function splitBySize(
  indices: number[],
  records: readonly OutRecord[],
  maxMessageBytes: number,
): number[][] {
  if (indices.length === 1) return [indices];
  const limit = maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES;
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let used = 0;
  for (const i of indices) {
    const size = records[i]!.size;
    if (chunk.length > 0 && used + size > limit) {
      chunks.push(chunk);
      chunk = [];
      used = 0;
    }
    chunk.push(i);
    used += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
