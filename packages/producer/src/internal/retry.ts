/**
 * One retry helper: bounded attempts, exponential backoff with full jitter, an overall deadline, an AbortSignal,
 * and no retry at all for errors that say they are not retriable (or are programmer errors).
 */

/** Retry policy. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up when the next attempt would start after this many ms from the first one. */
  deadlineMs?: number;
}

const PROGRAMMER_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/** Whether an error may be retried: programmer errors and errors with `retriable: false` may not. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof Error && PROGRAMMER_ERRORS.has(error.name)) return false;
  const flag = (error as { retriable?: unknown } | null)?.retriable;
  return flag !== false;
}

/** Delay before retry number `attempt` (1-based): full jitter over an exponentially growing cap. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Runs `fn` until it succeeds, a non-retriable error occurs, attempts run out, or the deadline passes. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: {
    signal?: AbortSignal;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  } = {},
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetriable(error) || attempt >= policy.retries) throw error;
      const delay = backoffDelay(attempt + 1, policy);
      if (policy.deadlineMs !== undefined && Date.now() - started + delay > policy.deadlineMs) throw error;
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
