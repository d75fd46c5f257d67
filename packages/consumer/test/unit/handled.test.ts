import { describe, expect, it } from 'vitest';
import { FatalHandlerError } from '@org/vmware-events-consumer';
import { createTestPipeline, trackHandled, waitForHandled } from '@org/vmware-events-consumer/testing';
import { makeEvent } from '../events.js';

describe('trackHandled / waitForHandled (with the test pipeline)', () => {
  it('resolves with how each event ended: processed, duplicate, dead-lettered', async () => {
    const pipeline = createTestPipeline({
      handler: ({ event }) => {
        if (event.operationInfo.vmId === 'vm-bad') throw new FatalHandlerError('refused');
      },
    });
    const handled = trackHandled(pipeline);
    const good = makeEvent({ vmId: 'vm-1' });
    const bad = makeEvent({ vmId: 'vm-bad' });
    await pipeline.deliver({ event: good });
    await pipeline.deliver({ event: good });
    await pipeline.deliver({ event: bad });
    // The first outcome of an id counts, even when it came before waitFor.
    expect(await handled.waitFor(good.eventId)).toMatchObject({
      kind: 'processed',
      eventId: good.eventId,
      attempts: 1,
      topic: 'vmware.events',
      offset: '0',
    });
    expect(await handled.waitFor(bad.eventId)).toMatchObject({
      kind: 'dead-lettered',
      reason: 'HANDLER_FATAL',
      deadLetterTopic: 'vmware.events.dlq',
    });
    expect(handled.outcomes.map((o) => o.kind)).toEqual(['processed', 'duplicate', 'dead-lettered']);
  });

  it('waits for an event delivered later', async () => {
    const pipeline = createTestPipeline({ handler: () => new Promise((resolve) => setTimeout(resolve, 5)) });
    const event = makeEvent();
    const outcome = waitForHandled(pipeline, event.eventId);
    setTimeout(() => void pipeline.deliver({ event }), 10);
    expect(await outcome).toMatchObject({ kind: 'processed', eventId: event.eventId });
  });

  it('rejects after the timeout with the ids handled meanwhile, on abort, and after stop', async () => {
    const pipeline = createTestPipeline({ handler: () => undefined });
    const handled = trackHandled(pipeline);
    const other = makeEvent();
    await pipeline.deliver({ event: other });
    await expect(handled.waitFor('missing-id', { timeoutMs: 20 })).rejects.toThrow(
      `Event missing-id was not handled within 20 ms; handled meanwhile: ${other.eventId} (processed)`,
    );
    const controller = new AbortController();
    const aborted = handled.waitFor('missing-id', { signal: controller.signal });
    controller.abort(new Error('test cancelled'));
    await expect(aborted).rejects.toThrow('test cancelled');
    const pending = handled.waitFor('missing-id');
    handled.stop();
    await expect(pending).rejects.toThrow('Stopped waiting for event missing-id');
    await pipeline.deliver({ event: makeEvent() });
    expect(handled.outcomes).toHaveLength(1); // no longer listening
  });
});
