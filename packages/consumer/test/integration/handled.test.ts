import { describe, expect, it } from 'vitest';
import { FatalHandlerError } from '@org/vmware-events-consumer';
import { trackHandled, waitForHandled } from '@org/vmware-events-consumer/testing';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import { createEventProducer, createTopic, randomUUID, startConsumer } from './helpers.js';

describe('trackHandled / waitForHandled with a real consumer on the real broker', () => {
  it('awaits each event by id: processed, duplicate, dead-lettered', async () => {
    const { topic, dlq } = await createTopic(2);
    const producer = await createEventProducer();
    const consumer = await startConsumer({
      groupId: `test-${randomUUID()}`,
      topics: [topic],
      handler: ({ event }) => {
        if (event.operationInfo.vmId === 'vm-bad') throw new FatalHandlerError('refused');
      },
    });
    const handled = trackHandled(consumer);
    const good = makeEvent({ vmId: 'vm-1' }) as VmOperationEvent;
    const bad = makeEvent({ vmId: 'vm-bad' }) as VmOperationEvent;
    const first = await producer.publish(good, { topic });
    await producer.publish(bad, { topic });

    expect(await handled.waitFor(first.eventId)).toMatchObject({
      kind: 'processed',
      topic,
      partition: first.partition,
      offset: first.offset,
    });
    expect(await handled.waitFor(bad.eventId)).toMatchObject({ kind: 'dead-lettered', deadLetterTopic: dlq });

    const again = waitForHandled(consumer, good.eventId); // subscribed before the re-send
    await producer.publish(good, { topic });
    expect(await again).toMatchObject({ kind: 'duplicate', eventId: good.eventId });
    handled.stop();
  });
});
