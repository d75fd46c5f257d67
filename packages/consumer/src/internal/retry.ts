/** Backoff settings of the handler retries. */
export interface RetryPolicy {
  /** Total handler calls, the first included (1 = no retry). */
  maxAttempts: number;
  /** Delay before the first retry, ms. */
  initialDelayMs: number;
  /** Growth factor per retry. */
  multiplier: number;
  /** Upper bound of one delay, ms. */
  maxDelayMs: number;
  /** 0 = no jitter; 1 = delay drawn uniformly from [0, d] ("full jitter"); 0.5 = from [d/2, d]. */
  jitter: number;
}

/** The delay before retry number `retry` (1 = first retry), with jitter drawn from `random`. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, retry - 1),
  );
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * Sleep `ms`, calling `heartbeat` at least every `heartbeatEveryMs` so the group coordinator does not
 * expel the member during long backoffs. Resolves early when `signal` aborts.
 */
export async function sleepWithHeartbeat(
  ms: number,
  heartbeat: () => Promise<void>,
  heartbeatEveryMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0 || signal?.aborted) return;
    await abortableDelay(Math.min(left, heartbeatEveryMs), signal);
    await heartbeat();
  }
}

/** setTimeout as a promise that resolves early when `signal` aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
