/**
 * The producer's guard against answers that do not acknowledge every partition sent (kafkajs 2.2.4 resolves such
 * sends after a leader moves). kafkajs is replaced by a fake whose broker keeps a log per partition and answers as a
 * script says; every retry path is driven through createProducer.
 */
import { Kafka, KafkaJSConnectionError } from 'kafkajs';
import type { Message, ProducerConfig } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProducer, isProducerError, partitionForKey } from '../../src/index.js';
import type { NotAcknowledgedError, ProducerOptions, VmOperationEventInput } from '../../src/index.js';

const PARTITIONS = 6;
const TOPIC = 'vmware.events';

/** How the fake broker treats one partition of one request. */
type Answer = 'ack' | 'silent' | 'error-code' | 'no-offset';

interface Request {
  /** Which kafkajs producer (0 = first created) sent it. */
  producer: number;
  /** The event ids per partition, in send order. */
  partitions: Map<number, string[]>;
}

/**
 * kafkajs with its network replaced. `script(request, partition)` decides each partition's answer; only 'ack' appends
 * (so a silent partition's records are not written, the worst case). `failRequest(request)` makes a request reject.
 */
function fakeKafka(
  script: (request: number, partition: number) => Answer,
  failRequest: (request: number) => Error | undefined = () => undefined,
) {
  const logs = new Map<number, string[]>();
  const requests: Request[] = [];
  let producers = 0;
  vi.spyOn(Kafka.prototype, 'producer').mockImplementation((config?: ProducerConfig) => {
    const partitioner = config?.createPartitioner?.();
    const id = producers++;
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      sendBatch: ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Message[] }> }) => {
        const index = requests.length;
        const request: Request = { producer: id, partitions: new Map() };
        requests.push(request);
        const { topic, messages } = topicMessages[0]!;
        for (const message of messages) {
          const partition = partitioner!({ topic, partitionMetadata, message });
          const ids = request.partitions.get(partition) ?? [];
          ids.push(eventIdOf(message));
          request.partitions.set(partition, ids);
        }
        const failure = failRequest(index);
        if (failure) return Promise.reject(failure);
        const answer = [...request.partitions].flatMap(([partition, ids]) => {
          const how = script(index, partition);
          if (how === 'silent') return [];
          if (how !== 'ack')
            return [
              { topicName: topic, partition, errorCode: how === 'error-code' ? 6 : 0, baseOffset: '-1' },
            ];
          const log = logs.get(partition) ?? [];
          logs.set(partition, log);
          const baseOffset = String(log.length);
          log.push(...ids);
          return [{ topicName: topic, partition, errorCode: 0, baseOffset }];
        });
        return Promise.resolve(answer);
      },
    } as unknown as ReturnType<Kafka['producer']>;
  });
  vi.spyOn(Kafka.prototype, 'admin').mockImplementation(
    () =>
      ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        describeConfigs: () =>
          Promise.resolve({
            resources: [
              { errorCode: 0, configEntries: [{ configName: 'max.message.bytes', configValue: '1048588' }] },
            ],
          }),
      }) as unknown as ReturnType<Kafka['admin']>,
  );
  return {
    requests,
    producers: () => producers,
    /** The event id the fake broker holds at this partition and offset. */
    at: (partition: number, offset: string) => logs.get(partition)?.[Number(offset)],
  };
}

function eventIdOf(message: Message): string {
  return (JSON.parse(String(message.value)) as { eventId: string }).eventId;
}

/** Events on `count` different VMs (so on several partitions). */
function events(count: number): VmOperationEventInput[] {
  return Array.from({ length: count }, (_, i) => ({
    operationInfo: {
      operation: 'power_on' as const,
      vmId: `vm-${i}`,
      username: 'alice@example.com',
      environment: 'DEV',
      tenantId: 'tenantA',
    },
  }));
}

async function connectedProducer(options: Partial<ProducerOptions> = {}) {
  const producer = createProducer({
    brokers: ['127.0.0.1:1'],
    source: 'urn:vmware-events:test',
    lingerMs: 0,
    traceContext: 'off',
    retry: { retries: 3, initialRetryTimeMs: 1, maxRetryTimeMs: 5 },
    ...options,
  });
  await producer.connect();
  return producer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a send whose answer lacks partitions (fake kafkajs)', () => {
  it('re-sends only the unanswered partitions, on the same producer, and reports the offsets the broker gave', async () => {
    // The first request leaves partition 1 unanswered (and unwritten); every later request is fully acknowledged.
    const fake = fakeKafka((request, partition) => (request === 0 && partition === 1 ? 'silent' : 'ack'));
    const producer = await connectedProducer();
    const results = await producer.publishBatch(events(24));
    await producer.disconnect();

    expect(fake.requests).toHaveLength(2);
    expect([...fake.requests[1]!.partitions.keys()]).toEqual([1]);
    expect(fake.requests[1]!.partitions.get(1)).toEqual(fake.requests[0]!.partitions.get(1));
    expect(fake.requests.map((r) => r.producer)).toEqual([0, 0]); // same producer id: same sequence numbers
    expect(fake.producers()).toBe(1);
    for (const result of results) expect(fake.at(result.partition, result.offset)).toBe(result.eventId);
  });

  it('re-sends a single awaited publish whose partition the answer lacks', async () => {
    const fake = fakeKafka((request) => (request === 0 ? 'silent' : 'ack'));
    const producer = await connectedProducer();
    const [event] = events(1);
    const result = await producer.publish(event!);
    const next = await producer.publish(event!);
    await producer.disconnect();

    expect(fake.requests.map((r) => r.producer)).toEqual([0, 0, 0]);
    expect(fake.at(result.partition, result.offset)).toBe(result.eventId);
    expect(fake.at(next.partition, next.offset)).toBe(next.eventId);
    expect([result.offset, next.offset]).toEqual(['0', '1']);
  });

  it('treats an entry with an error code or without a real offset as unanswered', async () => {
    for (const how of ['error-code', 'no-offset'] as const) {
      vi.restoreAllMocks();
      const fake = fakeKafka((request, partition) => (request === 0 && partition % 2 === 0 ? how : 'ack'));
      const producer = await connectedProducer();
      const results = await producer.publishBatch(events(12));
      await producer.disconnect();
      expect(fake.requests).toHaveLength(2);
      expect([...fake.requests[1]!.partitions.keys()].every((p) => p % 2 === 0)).toBe(true);
      for (const result of results) expect(fake.at(result.partition, result.offset)).toBe(result.eventId);
    }
  });

  it('fails with a retriable NotAcknowledgedError naming topic and partition when the retries run out', async () => {
    const silent = 4;
    const fake = fakeKafka((_, partition) => (partition === silent ? 'silent' : 'ack'));
    const producer = await connectedProducer({ lingerMs: 20 });
    const batch = events(24);
    // Two publishes share one request: the one without a record on the silent partition succeeds.
    const onSilent = batch.filter((_, i) => partitionOf(i) === silent);
    const elsewhere = batch.filter((_, i) => partitionOf(i) !== silent);
    const [failed, delivered] = await Promise.allSettled([
      producer.publishBatch(onSilent),
      producer.publishBatch(elsewhere),
    ]);
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as NotAcknowledgedError;
    expect(isProducerError(error, 'PRODUCER_NOT_ACKNOWLEDGED')).toBe(true);
    expect(error.retriable).toBe(true);
    expect([error.topic, error.partitions, error.attempts]).toEqual([TOPIC, [silent], 4]);
    expect(error.message).toContain(`partition ${silent} of topic "${TOPIC}"`);
    expect(error.message).not.toContain('alice');
    expect(delivered.status).toBe('fulfilled');
    for (const result of (
      delivered as PromiseFulfilledResult<Awaited<ReturnType<typeof producer.publishBatch>>>
    ).value) {
      expect(fake.at(result.partition, result.offset)).toBe(result.eventId);
    }
    // 1 send + 3 re-sends of the silent partition only, then the next send goes out on a new producer id.
    expect(fake.requests.slice(1).map((r) => [...r.partitions.keys()])).toEqual([
      [silent],
      [silent],
      [silent],
    ]);
    await producer.publish(events(1)[0]!).catch(() => undefined);
    await producer.disconnect();
    expect(fake.requests.at(-1)!.producer).toBe(1);
  });

  it('stops re-sending at deliveryTimeoutMs, before the retries run out', async () => {
    const fake = fakeKafka(() => 'silent');
    const producer = await connectedProducer({
      requestTimeoutMs: 100,
      deliveryTimeoutMs: 250,
      retry: { retries: 50, initialRetryTimeMs: 100, maxRetryTimeMs: 100 },
    });
    const started = Date.now();
    const error = (await producer.publish(events(1)[0]!).catch((e: unknown) => e)) as NotAcknowledgedError;
    const elapsed = Date.now() - started;
    await producer.disconnect();
    expect(isProducerError(error, 'PRODUCER_NOT_ACKNOWLEDGED')).toBe(true);
    expect(error.attempts).toBe(fake.requests.length);
    expect(error.attempts).toBeGreaterThanOrEqual(2);
    expect(error.attempts).toBeLessThan(6);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('fails the unanswered records with the error of a re-send that throws, and takes a new producer id', async () => {
    const fake = fakeKafka(
      (request, partition) => (request === 0 && partition === 2 ? 'silent' : 'ack'),
      (request) =>
        request === 1
          ? new KafkaJSConnectionError('Connection error: ECONNREFUSED', { broker: 'b' })
          : undefined,
    );
    const producer = await connectedProducer({ lingerMs: 20 });
    const batch = events(24);
    const [onTwo, elsewhere] = await Promise.allSettled([
      producer.publishBatch(batch.filter((_, i) => partitionOf(i) === 2)),
      producer.publishBatch(batch.filter((_, i) => partitionOf(i) !== 2)),
    ]);
    expect(onTwo.status).toBe('rejected');
    expect(isProducerError((onTwo as PromiseRejectedResult).reason, 'PRODUCER_BROKER_UNAVAILABLE')).toBe(
      true,
    );
    expect(elsewhere.status).toBe('fulfilled');
    const result = await producer.publish(batch[0]!);
    await producer.disconnect();
    expect(fake.requests.map((r) => r.producer)).toEqual([0, 0, 1]);
    expect(fake.at(result.partition, result.offset)).toBe(result.eventId);
  });
});

/** The partition of `events(n)[i]` (key = VM id, hashed like the Java client). */
function partitionOf(i: number): number {
  return partitionForKey(`vm-${i}`, PARTITIONS);
}
