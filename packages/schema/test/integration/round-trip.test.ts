/**
 * Smoke test of the real services: a VM operation event makes the round trip producer → real Kafka broker →
 * consumer with its key, every header and its value intact, byte for byte. Uses kafkajs directly (no SDK
 * producer/consumer), so a failure here points at the broker setup or the contract, not at SDK code.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, onTestFinished, test } from 'vitest';
import { validateEventHeaders, validateVmOperationEvent } from '@org/vmware-events-schema';
import { createTestAdmin, createTestKafka, createTopic, uniqueName } from '../../../../test/services.js';

/** Polls `read` until it returns a value, failing after `timeoutMs`. */
async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('round trip through the real broker', () => {
  test('an event arrives with its key, every header and its value byte for byte', async () => {
    const eventId = randomUUID();
    // A hand-written event following docs/architecture.md (not built by SDK code). Non-ASCII text checks that
    // nothing re-encodes the UTF-8 bytes on the way.
    const event = {
      schemaVersion: '1.0',
      eventId,
      source: 'urn:vmware-events:service:round-trip-test',
      correlationId: eventId,
      operationInfo: {
        operation: 'create',
        timestamp: new Date().toISOString(),
        vmId: 'vm-1001',
        username: 'adminUser',
        environment: 'DEV',
        tenantId: 'tenantA',
        vmName: 'web-zürich-01',
        notes: 'Provisioning a new dev VM ✓ (Größe: 4 vCPU)',
      },
      vmData: { cpu: 4, memoryMB: 8192, storageGB: 100 },
    };
    expect(validateVmOperationEvent(event)).toMatchObject({ valid: true });

    const key = 'vm-1001';
    const headers: Record<string, string> = {
      env: 'DEV',
      tenant: 'tenantA',
      operationType: 'create',
      contentVersion: '1.0',
      correlationId: eventId,
      eventId,
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: eventId,
      ce_source: event.source,
      ce_type: 'com.vmware.events.vm.create.v1',
      ce_time: event.operationInfo.timestamp,
      ce_subject: 'vm-1001',
    };
    expect(validateEventHeaders(headers)).toMatchObject({ valid: true });
    const value = Buffer.from(JSON.stringify(event), 'utf8');

    const topic = await createTopic(uniqueName('test'), 3);
    const groupId = uniqueName('test-group');
    const kafka = createTestKafka();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    onTestFinished(() => producer.disconnect());
    await producer.connect();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    expect(sent?.errorCode).toBe(0);

    const received: Array<{ partition: number; message: KafkaMessage }> = [];
    const consumer = kafka.consumer({ groupId });
    const admin = await createTestAdmin(kafka);
    // Cleanups run in reverse: disconnect the consumer, then delete its group (best effort).
    onTestFinished(async () => {
      await admin.deleteGroups([groupId]).catch(() => undefined);
    });
    onTestFinished(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        received.push({ partition, message });
        return Promise.resolve();
      },
    });

    const got = await waitFor(() => received[0], 'the event to come back');
    expect(got.partition).toBe(sent?.partition);
    expect(got.message.offset).toBe(sent?.baseOffset);

    // Key and value: byte for byte.
    expect(got.message.key).toEqual(Buffer.from(key, 'utf8'));
    expect(got.message.value).not.toBeNull();
    expect(Buffer.compare(got.message.value!, value)).toBe(0);

    // Headers: exactly the names that were sent, each value byte for byte.
    const gotHeaders = got.message.headers ?? {};
    expect(Object.keys(gotHeaders).sort()).toEqual(Object.keys(headers).sort());
    for (const [name, sentValue] of Object.entries(headers)) {
      expect(gotHeaders[name], `header ${name}`).toEqual(Buffer.from(sentValue, 'utf8'));
    }
    const decodedHeaders = Object.fromEntries(
      Object.entries(gotHeaders).map(([name, raw]) => [
        name,
        Buffer.isBuffer(raw) ? raw.toString('utf8') : raw,
      ]),
    );
    expect(validateEventHeaders(decodedHeaders)).toMatchObject({ valid: true });

    // The received value is still a valid event, equal to the one sent.
    const parsed: unknown = JSON.parse(got.message.value!.toString('utf8'));
    expect(validateVmOperationEvent(parsed)).toMatchObject({ valid: true });
    expect(parsed).toEqual(event);

    // One record in, one record out: the topic holds exactly one record and the consumer saw only it.
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(1);
    expect(received).toHaveLength(1);
  });
});
