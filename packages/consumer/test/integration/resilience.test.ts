import { describe, expect, it } from 'vitest';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import {
  brokers,
  committedOffsets,
  createEventProducer,
  createRawProducer,
  createTopic,
  kafka,
  randomUUID,
  readAll,
  startConsumer,
  waitFor,
} from './helpers.js';

describe('resilience on the real broker', () => {
  it('opens the circuit when the failure rate passes the threshold, probes, and resumes', async () => {
    const { topic } = await createTopic(1);
    const producer = await createEventProducer();
    await producer.publishBatch(
      Array.from({ length: 20 }, () => makeEvent() as VmOperationEvent),
      { topic },
    );
    let healthy = false;
    const states: string[] = [];
    const calls: number[] = [];
    const consumer = await startConsumer({
      groupId: `test-${randomUUID()}`,
      topics: [topic],
      retry: { maxAttempts: 50, initialDelayMs: 5, maxDelayMs: 5 },
      circuitBreaker: { windowSize: 4, minimumCalls: 4, failureRateThreshold: 0.75, openMs: 1500 },
      handler: () => {
        calls.push(Date.now());
        if (!healthy) throw new Error('database down');
      },
    });
    consumer.on('consumer:circuit', ({ state }) => {
      states.push(state);
      if (state === 'half-open') healthy = true; // the dependency recovered while the circuit was open
    });
    await waitFor('circuit opened', () => states.includes('open'));
    const callsWhenOpened = calls.length;
    await waitFor('circuit closed again', () => states.includes('closed'), 10_000);
    expect(states.slice(0, 3)).toEqual(['open', 'half-open', 'closed']);
    // While open, no handler call ran: the next call after opening is the probe, ≥ openMs later.
    expect(calls[callsWhenOpened]! - calls[callsWhenOpened - 1]!).toBeGreaterThanOrEqual(1400);
    await waitFor('all processed', () => consumer.metrics().processed === 20);
    expect(consumer.metrics().deadLettered).toBe(0);
  });

  it('does not commit past a record whose dead-letter write failed, and delivers it once the topic is back', async () => {
    const { topic, dlq } = await createTopic(1);
    const raw = await createRawProducer();
    const groupId = `test-${randomUUID()}`;
    const handled: string[] = [];
    const errors: string[] = [];
    const consumer = await startConsumer({
      kafka: {
        brokers,
        clientId: 'consumer-it',
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
      },
      groupId,
      topics: [topic],
      dependencyBackoffMs: 500,
      handler: ({ event }) => void handled.push(event.eventId),
    });
    consumer.on('consumer:error', ({ offset }) => errors.push(offset));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [dlq] });
    const good = makeEvent();
    await raw.send({
      topic,
      messages: [
        { key: 'vm-1', value: 'poison' },
        { key: 'vm-1', value: JSON.stringify(good) },
      ],
    });
    await waitFor('dead-letter failure reported', () => errors.length > 0, 30_000);
    expect(errors[0]).toBe('0');
    expect(handled).toEqual([]); // order kept: the next record waits for the poison one
    expect((await committedOffsets(groupId, topic))[0]).not.toBe('2');

    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: dlq, numPartitions: 1, replicationFactor: 1 }],
    });
    await admin.disconnect();
    await waitFor(
      'good event handled after the dead-letter topic is back',
      () => handled.length === 1,
      40_000,
    );
    expect(handled).toEqual([good.eventId]);
    const dead = await readAll(dlq);
    expect(dead.map((r) => r.value?.toString())).toEqual(['poison']);
    await waitFor('committed past both', async () => (await committedOffsets(groupId, topic))[0] === '2');
  }, 90_000);

  it('closes gracefully: finishes the in-flight handler, commits, and a successor does not repeat it', async () => {
    const { topic } = await createTopic(1);
    const producer = await createEventProducer();
    const events = Array.from({ length: 5 }, () => makeEvent() as VmOperationEvent);
    await producer.publishBatch(events, { topic });
    const groupId = `test-${randomUUID()}`;
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = await startConsumer({
      groupId,
      topics: [topic],
      handler: async ({ event }) => {
        if (handled.length === 1) await gate; // the second event is in flight when close() is called
        handled.push(event.eventId);
      },
    });
    await waitFor('first event handled', () => handled.length === 1);
    const closing = first.close();
    setTimeout(release, 300);
    await closing;
    expect(handled).toEqual([events[0]!.eventId, events[1]!.eventId]); // in-flight finished, nothing new started
    expect((await committedOffsets(groupId, topic))[0]).toBe('2');
    await expect(first.start()).rejects.toMatchObject({ code: 'CONSUMER_CLOSED' });

    const successor = await startConsumer({
      groupId,
      topics: [topic],
      handler: ({ event }) => void handled.push(event.eventId),
    });
    await waitFor('rest handled', () => successor.metrics().processed === 3);
    expect(handled).toEqual(events.map((e) => e.eventId));
  });
});
