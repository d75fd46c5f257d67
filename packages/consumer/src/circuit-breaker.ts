/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Open when the failure rate over the window reaches this (0–1). Default 0.5. */
  failureRateThreshold?: number;
  /** Number of most recent handler calls the rate is computed over. Default 20. */
  windowSize?: number;
  /** Calls needed in the window before the breaker may open. Default 10. */
  minimumCalls?: number;
  /** How long the breaker stays open before a probe, ms. Default 10 000. */
  openMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Circuit breaker states. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Count-based circuit breaker over handler calls. Closed: calls pass, outcomes are recorded. When the
 * failure rate over the last `windowSize` calls reaches the threshold it opens: no call passes for
 * `openMs`. Then it is half-open: exactly one probe call passes; success closes it, failure reopens it.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly windowSize: number;
  private readonly minimumCalls: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private window: boolean[] = [];
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = 'closed';
  private readonly listeners = new Set<(state: CircuitState, failureRate: number) => void>();

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureRateThreshold ?? 0.5;
    this.windowSize = options.windowSize ?? 20;
    this.minimumCalls = Math.min(options.minimumCalls ?? 10, this.windowSize);
    this.openMs = options.openMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The current state (turns `open` into `half-open` once `openMs` has passed). */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) this.transition('half-open');
    return this.current;
  }

  /** Failure rate over the window (0–1). */
  failureRate(): number {
    return this.window.length === 0 ? 0 : this.window.filter((ok) => !ok).length / this.window.length;
  }

  /** Ms until an open breaker lets a probe through (0 when not open). */
  remainingOpenMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.openMs - this.now()) : 0;
  }

  /** Ask to make a call: true when it may run now (it must then be followed by `record`). */
  tryAcquire(): boolean {
    switch (this.state) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half-open':
        if (this.probing) return false;
        this.probing = true;
        return true;
    }
  }

  /** Record the outcome of a call allowed by `tryAcquire`. */
  record(ok: boolean): void {
    if (this.current === 'half-open') {
      this.probing = false;
      if (ok) {
        this.window = [];
        this.transition('closed');
      } else {
        this.open();
      }
      return;
    }
    this.window.push(ok);
    if (this.window.length > this.windowSize) this.window.shift();
    if (
      this.current === 'closed' &&
      this.window.length >= this.minimumCalls &&
      this.failureRate() >= this.threshold
    ) {
      this.open();
    }
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onStateChange(listener: (state: CircuitState, failureRate: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    if (this.current === state) return;
    this.current = state;
    const rate = this.failureRate();
    for (const listener of this.listeners) listener(state, rate);
  }
}
