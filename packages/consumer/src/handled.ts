/**
 * Awaiting the handling of given events: for tests of a service that consumes, with the real consumer (against a
 * broker) or with the test pipeline (without one). Both emit the same typed `consumer:*` events; these helpers listen
 * to the four that end a record's journey — processed, duplicate, stale, dead-lettered — by event id.
 */
import type { ConsumerEvents, DeadLetterReason } from './types.js';

/** What the helpers listen to: a consumer (`createConsumer`) or a test pipeline (`createTestPipeline`). */
export interface ConsumerEventSource {
  on<TName extends keyof ConsumerEvents>(
    name: TName,
    listener: (...args: ConsumerEvents[TName]) => void,
  ): () => void;
}

/** Where the record was read. */
interface Position {
  topic: string;
  partition: number;
  offset: string;
}

/** How an event's record ended: handled, skipped as a duplicate or stale, or dead-lettered (with why). */
export type HandledOutcome = Position &
  (
    | { kind: 'processed'; eventId: string; attempts: number; durationMs: number }
    | { kind: 'duplicate'; eventId: string }
    | { kind: 'stale'; eventId: string; scope: string; eventKey: number; lastKey: number }
    | {
        kind: 'dead-lettered';
        eventId: string | undefined;
        reason: DeadLetterReason;
        attempts: number;
        deadLetterTopic: string;
        error: unknown;
      }
  );

/** Options of {@link HandledTracker.waitFor} and {@link waitForHandled}. */
export interface WaitForHandledOptions {
  /** Give up after this long, ms. Default 10 000. */
  timeoutMs?: number;
  /** Stop waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Records every outcome from its creation on, so an event handled before `waitFor` is called is not missed. */
export interface HandledTracker {
  /** Every outcome seen so far, in order. */
  readonly outcomes: readonly HandledOutcome[];
  /**
   * Resolves with the outcome of the event (the first one seen for that id, earlier or later), or rejects after
   * `timeoutMs` with the ids handled meanwhile. Resolves for a dead-lettered event too: check `kind`.
   */
  waitFor(eventId: string, options?: WaitForHandledOptions): Promise<HandledOutcome>;
  /** Stops listening (waiters still pending reject). */
  stop(): void;
}

/**
 * Starts recording how the events a consumer (or test pipeline) reads end. Create it before the events are
 * published, then await each by id.
 *
 * @example
 * const handled = trackHandled(consumer);
 * const { eventId } = await producer.publish(event);
 * expect(await handled.waitFor(eventId)).toMatchObject({ kind: 'processed' });
 */
export function trackHandled(source: ConsumerEventSource): HandledTracker {
  const outcomes: HandledOutcome[] = [];
  const waiters = new Set<{
    eventId: string;
    resolve: (o: HandledOutcome) => void;
    fail: (e: Error) => void;
  }>();
  const seen = (outcome: HandledOutcome) => {
    outcomes.push(outcome);
    for (const waiter of [...waiters]) if (waiter.eventId === outcome.eventId) waiter.resolve(outcome);
  };
  const unsubscribe = [
    source.on('consumer:processed', (e) => seen({ kind: 'processed', ...e })),
    source.on('consumer:duplicate', (e) => seen({ kind: 'duplicate', ...e })),
    source.on('consumer:stale', (e) => seen({ kind: 'stale', ...e })),
    source.on('consumer:dead-letter', (e) => seen({ kind: 'dead-lettered', ...e })),
  ];
  let stopped = false;
  return {
    outcomes,
    waitFor(eventId, options = {}) {
      const earlier = outcomes.find((o) => o.eventId === eventId);
      if (earlier !== undefined) return Promise.resolve(earlier);
      if (stopped)
        return Promise.reject(new Error(`Not waiting for event ${eventId}: the tracker was stopped`));
      const timeoutMs = options.timeoutMs ?? 10_000;
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise<HandledOutcome>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          waiters.delete(waiter);
        };
        const waiter = {
          eventId,
          resolve: (outcome: HandledOutcome) => (done(), resolve(outcome)),
          fail: (error: Error) => (done(), reject(error)),
        };
        const onAbort = () => waiter.fail(abortReason(signal!));
        const timer = setTimeout(() => {
          const others = outcomes.map((o) => `${o.eventId ?? '?'} (${o.kind})`).join(', ') || 'none';
          waiter.fail(
            new Error(
              `Event ${eventId} was not handled within ${timeoutMs} ms; handled meanwhile: ${others}`,
            ),
          );
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.add(waiter);
      });
    },
    stop() {
      stopped = true;
      for (const off of unsubscribe) off();
      for (const waiter of [...waiters])
        waiter.fail(new Error(`Stopped waiting for event ${waiter.eventId}`));
    },
  };
}

/**
 * Resolves with how the event with this id ends in the consumer (or test pipeline); call it before the event is
 * published, or use {@link trackHandled} when the id is known only after publishing.
 *
 * @example
 * const handled = waitForHandled(consumer, event.eventId);
 * await producer.publish(event);
 * expect(await handled).toMatchObject({ kind: 'processed', attempts: 1 });
 */
export async function waitForHandled(
  source: ConsumerEventSource,
  eventId: string,
  options?: WaitForHandledOptions,
): Promise<HandledOutcome> {
  const tracker = trackHandled(source);
  try {
    return await tracker.waitFor(eventId, options);
  } finally {
    tracker.stop();
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
