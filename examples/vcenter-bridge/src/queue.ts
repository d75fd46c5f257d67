/** A bounded FIFO: `push` waits while it is full (back-pressure), `take` waits while it is empty. */
export class BoundedQueue<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  #notFull: (() => void)[] = [];
  #notEmpty: (() => void)[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length;
  }

  /** The oldest waiting item. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Append, waiting while the queue is full. Rejects with the signal's reason when aborted. */
  async push(item: T, signal: AbortSignal): Promise<void> {
    while (this.#items.length >= this.#capacity) await this.#wait(this.#notFull, signal);
    this.#items.push(item);
    this.#wake('notEmpty');
  }

  /** Remove up to `max` items, waiting while the queue is empty. */
  async take(max: number, signal: AbortSignal): Promise<T[]> {
    while (this.#items.length === 0) await this.#wait(this.#notEmpty, signal);
    const out = this.#items.splice(0, max);
    this.#wake('notFull');
    return out;
  }

  #wake(which: 'notFull' | 'notEmpty'): void {
    const waiters = which === 'notFull' ? this.#notFull : this.#notEmpty;
    if (which === 'notFull') this.#notFull = [];
    else this.#notEmpty = [];
    for (const w of waiters) w();
  }

  #wait(list: (() => void)[], signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      list.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

/** Sleep `ms`, or reject early when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0 → ~base, capped at `max`. */
export function backoff(attempt: number, base = 200, max = 5000): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
