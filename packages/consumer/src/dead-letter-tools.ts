import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, Message } from 'kafkajs';
import { HEADER_NAMES } from '@org/vmware-events-schema';
import { ConsumerError } from './errors.js';
import { readDeadLetterInfo, stripDeadLetterHeaders } from './dead-letter.js';
import type { DeadLetterInfo } from './dead-letter.js';
import { toRawRecord } from './internal/raw-record.js';
import type { RawRecord } from './types.js';

/** Progress of a scan or a replay, reported as it goes. */
export interface DeadLetterProgress {
  /** Records read from the dead-letter topic. */
  scanned: number;
  /** Records in the topic when the scan started (the end it reads up to). */
  total: number;
  /** Records that match the filters. */
  matched: number;
  /** Records sent back (0 in a dry run). */
  replayed: number;
}

/** Which dead-lettered records to select. */
export interface DeadLetterQuery {
  /** A kafkajs `Kafka` instance, or its config. */
  kafka: Kafka | KafkaConfig;
  /** The dead-letter topic, e.g. `vmware.events.dlq`. */
  topic: string;
  /** Only these reasons (`x-dlt-reason`, e.g. `RETRIES_EXHAUSTED`). */
  reasons?: readonly string[];
  /** Only records dead-lettered at or after this time. */
  since?: Date;
  /** Only records dead-lettered before this time. */
  until?: Date;
  /** Only records this returns true for (after the other filters), e.g. one consumer group's or chosen offsets. */
  filter?: (entry: DeadLetterEntry) => boolean;
  /** Called after every batch read (and every batch sent). */
  onProgress?: (progress: DeadLetterProgress) => void;
  /** Give up when the scan takes longer, ms. Default 120 000. */
  timeoutMs?: number;
}

/** One dead-lettered record. */
export interface DeadLetterEntry {
  /** Partition and offset in the dead-letter topic. */
  partition: number;
  offset: string;
  /** When it was dead-lettered (ISO 8601). */
  deadLetteredAt: string;
  /** Record key (UTF-8), or null. */
  key: string | null;
  /** The event id from the headers, when present. */
  eventId: string | undefined;
  /** Reason, attempts, error and origin. */
  info: DeadLetterInfo;
  /** The raw record (key, value and headers exactly as dead-lettered). */
  record: RawRecord;
}

const toKafka = (kafka: Kafka | KafkaConfig) =>
  kafka instanceof Kafka ? kafka : new Kafka({ logLevel: logLevel.NOTHING, ...kafka });

function matches(entry: DeadLetterEntry, query: DeadLetterQuery): boolean {
  const time = Date.parse(entry.deadLetteredAt);
  if (query.reasons && query.reasons.length > 0 && !query.reasons.includes(entry.info.reason ?? ''))
    return false;
  if (query.since && time < query.since.getTime()) return false;
  if (query.until && time >= query.until.getTime()) return false;
  return query.filter?.(entry) ?? true;
}

/** Read the dead-letter topic from its start to its end as of now, calling `onBatch` with the selected entries. */
async function scan(
  query: DeadLetterQuery,
  onBatch: (entries: DeadLetterEntry[], progress: DeadLetterProgress) => Promise<void>,
): Promise<DeadLetterProgress> {
  const kafka = toKafka(query.kafka);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `vmware-events-dlq-tool-${randomUUID()}`;
  const progress: DeadLetterProgress = { scanned: 0, total: 0, matched: 0, replayed: 0 };
  try {
    const offsets = await admin.fetchTopicOffsets(query.topic).catch((cause: unknown) => {
      throw new ConsumerError(
        'CONSUMER_DEAD_LETTER_FAILED',
        `Cannot read dead-letter topic '${query.topic}'`,
        { cause, retriable: true },
      );
    });
    const ends = new Map<number, bigint>();
    for (const { partition, high, low } of offsets) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
      progress.total += Number(BigInt(high) - BigInt(low));
    }
    if (ends.size === 0) return progress;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [query.topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new ConsumerError('CONSUMER_DEAD_LETTER_FAILED', `Reading '${query.topic}' timed out`, {
                retriable: true,
              }),
            ),
          query.timeoutMs ?? 120_000,
        );
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (end === undefined) return;
              const selected: DeadLetterEntry[] = [];
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= end) break;
                progress.scanned += 1;
                const record = toRawRecord(batch.topic, batch.partition, message);
                const entry: DeadLetterEntry = {
                  partition: batch.partition,
                  offset: message.offset,
                  deadLetteredAt: new Date(Number(message.timestamp)).toISOString(),
                  key: message.key ? message.key.toString('utf8') : null,
                  eventId: (() => {
                    const raw = record.headers[HEADER_NAMES.eventId];
                    const value = Array.isArray(raw) ? raw[0] : raw;
                    return value === undefined ? undefined : value.toString();
                  })(),
                  info: readDeadLetterInfo(record.headers),
                  record,
                };
                if (matches(entry, query)) selected.push(entry);
              }
              progress.matched += selected.length;
              await onBatch(selected, progress);
              query.onProgress?.({ ...progress });
              const last = batch.messages.at(-1);
              if (last && BigInt(last.offset) >= end - 1n) ends.delete(batch.partition);
              if (ends.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return progress;
  } finally {
    await admin.disconnect();
  }
}

/** List the records of a dead-letter topic, optionally filtered by reason and time. */
export async function listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  await scan(query, (selected) => {
    entries.push(...selected);
    return Promise.resolve();
  });
  return entries.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions extends DeadLetterQuery {
  /** Only report what would be replayed. */
  dryRun?: boolean;
  /**
   * Send to this topic instead of each record's original topic; a function picks it per record (e.g. the retry
   * topic of the consumer group that gave up on it).
   */
  targetTopic?: string | ((entry: DeadLetterEntry) => string);
}

/** Result of {@link replayDeadLetters}. */
export interface ReplayResult extends DeadLetterProgress {
  /** The selected entries (replayed unless `dryRun`). */
  entries: DeadLetterEntry[];
}

/** Header a replayed record carries: `<dlq topic>/<partition>@<offset>` it was replayed from. */
export const REPLAYED_FROM_HEADER = 'x-dlt-replayed-from';

/**
 * Send selected dead-lettered records back to their original topic (from `kafka_dlt-original-topic`):
 * the same key, value and headers, without the dead-letter headers, plus `x-dlt-replayed-from`.
 * The dead-letter topic itself is not changed (Kafka records are immutable).
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const kafka = toKafka(options.kafka);
  const entries: DeadLetterEntry[] = [];
  const producer = options.dryRun ? undefined : kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer?.connect();
  try {
    const progress = await scan({ ...options, kafka }, async (selected, progress) => {
      entries.push(...selected);
      if (!producer || selected.length === 0) return;
      const byTopic = new Map<string, Message[]>();
      for (const entry of selected) {
        const target =
          typeof options.targetTopic === 'function'
            ? options.targetTopic(entry)
            : (options.targetTopic ?? entry.info.original.topic);
        if (!target) {
          throw new ConsumerError(
            'CONSUMER_DEAD_LETTER_FAILED',
            `Record ${options.topic}/${entry.partition}@${entry.offset} has no kafka_dlt-original-topic header; pass targetTopic`,
          );
        }
        const headers = stripDeadLetterHeaders(entry.record.headers);
        headers[REPLAYED_FROM_HEADER] = `${options.topic}/${entry.partition}@${entry.offset}`;
        const list = byTopic.get(target) ?? [];
        list.push({ key: entry.record.key, value: entry.record.value, headers });
        byTopic.set(target, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      progress.replayed += selected.length;
    });
    return { ...progress, entries };
  } finally {
    await producer?.disconnect();
  }
}
