/**
 * Linger batching with back-pressure (kafkajs has neither): records wait up to `lingerMs` (or until
 * `batchSizeBytes` are queued) and go out together in one send. Exactly one send is in flight at a time, which
 * is also what keeps kafkajs's idempotent producer correct (see docs/producer.md, "Idempotence").
 * Records are admitted in groups (one publish or one publishBatch) that are never split across sends;
 * when queued plus in-flight bytes would exceed `bufferMemoryBytes`, `add` waits (FIFO) up to `maxBlockMs`.
 */

/** Batcher settings. */
export interface BatcherOptions<TItem, TResult> {
  lingerMs: number;
  batchSizeBytes: number;
  bufferMemoryBytes: number;
  maxBlockMs: number;
  /**
   * Sends items in order; resolves with one result per item, in the same order. An item's result may be an Error:
   * the group holding that item is rejected with it (the other groups of the send are unaffected).
   */
  send: (items: TItem[]) => Promise<Array<TResult | Error>>;
  /** Error for a group that could not enter the buffer within maxBlockMs. */
  bufferFullError: () => Error;
  /**
   * Optional: sends one item of `addOne` at once when it would leave alone anyway (no linger, nothing queued, nothing
   * in flight); its promise becomes the caller's. It must not throw, and must call `settled` exactly once, when the
   * send is over and before its promise settles. Compared with `send`, an awaited single item skips the group
   * bookkeeping and one microtask hop.
   */
  sendNow?: (item: TItem, settled: () => void) => Promise<TResult>;
}

/**
 * One admitted unit: a group of items (`add`) or a single item (`addOne`, no one-element array). It stays alive until
 * the broker answers, so it holds as little as it can: the caller's `resolve` and not its `reject` (a failure resolves
 * with a rejecting thenable instead), which keeps what the garbage collector copies per outstanding record small.
 */
interface Group<TItem> {
  seq: number;
  /** The items of an `add`; undefined for an `addOne`. */
  items: TItem[] | undefined;
  /** The item of an `addOne`. */
  item: TItem | undefined;
  bytes: number;
  enqueuedAt: number;
  /** Settles the caller's promise: with the results (`add`), the result (`addOne`), or a rejecting thenable. */
  resolve: (value: unknown) => void;
}

interface Waiter {
  bytes: number;
  admit: () => void;
  timer: NodeJS.Timeout | undefined;
}

/** A thenable that rejects with `error`: resolving a promise with it rejects that promise (see Group). */
function rejecting(error: unknown): PromiseLike<never> {
  return { then: (_onFulfilled, onRejected) => onRejected?.(error) as never };
}

/** Rejects the group's promise. */
function fail(group: Group<unknown>, error: unknown): void {
  group.resolve(rejecting(error));
}

/** Counters for observability and tests. */
export interface BatcherStats {
  sends: number;
  queuedBytes: number;
  bufferedBytes: number;
  blockedAdds: number;
}

/** See the module comment. */
export class LingerBatcher<TItem, TResult> {
  private readonly opts: BatcherOptions<TItem, TResult>;
  /** Queued groups are `queue[head..]`; the consumed prefix is dropped in bulk (Array.shift is O(n)). */
  private queue: Array<Group<TItem>> = [];
  private head = 0;
  private queuedBytes = 0;
  /** Queued plus in flight. */
  private bufferedBytes = 0;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private waiters: Waiter[] = [];
  private seq = 0;
  private settledSeq = 0;
  private flushTarget = 0;
  private flushWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private sends = 0;
  private blockedAdds = 0;

  constructor(options: BatcherOptions<TItem, TResult>) {
    this.opts = options;
  }

  /** Queues one group of items; resolves with their results once the broker acknowledged them. */
  add(items: TItem[], bytes: number): Promise<TResult[]> {
    return new Promise<TResult[]>((resolve) =>
      this.admit({
        seq: 0,
        items,
        item: undefined,
        bytes,
        enqueuedAt: 0,
        resolve: resolve as Group<TItem>['resolve'],
      }),
    );
  }

  /** Queues one item; resolves with its result. */
  addOne(item: TItem, bytes: number): Promise<TResult> {
    const sendNow = this.opts.sendNow;
    if (sendNow !== undefined && this.sendsAtOnce()) {
      const seq = ++this.seq;
      this.bufferedBytes += bytes;
      this.sending = true;
      this.sends++;
      return sendNow(item, () => this.settled(seq, bytes));
    }
    return new Promise<TResult>((resolve) =>
      this.admit({
        seq: 0,
        items: undefined,
        item,
        bytes,
        enqueuedAt: 0,
        resolve: resolve as Group<TItem>['resolve'],
      }),
    );
  }

  private admit(group: Group<TItem>): void {
    if (this.fits(group.bytes) && this.waiters.length === 0) {
      this.enqueue(group);
      return;
    }
    this.blockedAdds++;
    const waiter: Waiter = { bytes: group.bytes, admit: () => this.enqueue(group), timer: undefined };
    waiter.timer = setTimeout(() => {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      fail(group, this.opts.bufferFullError());
      this.admitWaiters();
    }, this.opts.maxBlockMs);
    this.waiters.push(waiter);
  }

  /** Sends everything queued now; resolves when all of it has been settled (acknowledged or failed). */
  flush(): Promise<void> {
    const target = this.seq;
    if (this.settledSeq >= target) return Promise.resolve();
    this.flushTarget = Math.max(this.flushTarget, target);
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ seq: target, resolve }));
    this.pump();
    return done;
  }

  /** Current counters. */
  stats(): BatcherStats {
    return {
      sends: this.sends,
      queuedBytes: this.queuedBytes,
      bufferedBytes: this.bufferedBytes,
      blockedAdds: this.blockedAdds,
    };
  }

  private fits(bytes: number): boolean {
    // A group larger than the whole buffer is admitted alone rather than never.
    return this.bufferedBytes === 0 || this.bufferedBytes + bytes <= this.opts.bufferMemoryBytes;
  }

  private enqueue(group: Group<TItem>): void {
    group.seq = ++this.seq;
    this.bufferedBytes += group.bytes;
    if (this.sendsAtOnce()) {
      // The group would leave at once: it skips the queue.
      void this.dispatch([group], group.bytes);
      return;
    }
    group.enqueuedAt = Date.now();
    this.queue.push(group);
    this.queuedBytes += group.bytes;
    if (!this.sending) this.pump();
  }

  /** Whether a group admitted now leaves at once and alone: no linger, nothing queued or waiting, no send in flight. */
  private sendsAtOnce(): boolean {
    return (
      !this.sending &&
      this.head === this.queue.length &&
      this.waiters.length === 0 &&
      this.opts.lingerMs === 0
    );
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      waiter.admit();
    }
  }

  /** Starts a send when one is due, otherwise arms the linger timer for the oldest queued group. */
  private pump(): void {
    if (this.sending || this.head >= this.queue.length) return;
    const head = this.queue[this.head]!;
    const due = head.enqueuedAt + this.opts.lingerMs;
    if (this.queuedBytes >= this.opts.batchSizeBytes || head.seq <= this.flushTarget || Date.now() >= due) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.sendNext();
      return;
    }
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, due - Date.now()),
    );
  }

  /** Takes queued groups, up to batchSizeBytes (at least one), and sends them. */
  private sendNext(): void {
    const groups: Array<Group<TItem>> = [];
    let bytes = 0;
    while (this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      if (groups.length > 0 && bytes + next.bytes > this.opts.batchSizeBytes) break;
      groups.push(next);
      this.head++;
      bytes += next.bytes;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= bytes;
    void this.dispatch(groups, bytes);
  }

  /** Sends the groups' items as one send and settles each group with its results. */
  private async dispatch(groups: Array<Group<TItem>>, bytes: number): Promise<void> {
    this.sending = true;
    let items: TItem[];
    if (groups.length === 1 && groups[0]!.items !== undefined) items = groups[0]!.items;
    else {
      items = [];
      for (const group of groups) {
        if (group.items === undefined) items.push(group.item as TItem);
        else for (const item of group.items) items.push(item);
      }
    }
    this.sends++;
    try {
      const results = await this.opts.send(items);
      let offset = 0;
      for (const group of groups) {
        if (group.items === undefined) {
          const result = results[offset++];
          group.resolve(result instanceof Error ? rejecting(result) : result);
          continue;
        }
        const end = offset + group.items.length;
        let failure: Error | undefined;
        for (let i = offset; i < end && failure === undefined; i++) {
          const result = results[i];
          if (result instanceof Error) failure = result;
        }
        if (failure !== undefined) fail(group, failure);
        else group.resolve(groups.length === 1 ? results : results.slice(offset, end));
        offset = end;
      }
    } catch (error) {
      for (const group of groups) fail(group, error);
    } finally {
      this.settled(groups[groups.length - 1]!.seq, bytes);
    }
  }

  /** A send is over: frees its bytes, wakes flush() and blocked adds, and starts the next send if one is due. */
  private settled(lastSeq: number, bytes: number): void {
    this.bufferedBytes -= bytes;
    this.settledSeq = lastSeq;
    this.sending = false;
    if (this.flushWaiters.length > 0) {
      this.flushWaiters = this.flushWaiters.filter((w) =>
        w.seq <= this.settledSeq ? (w.resolve(), false) : true,
      );
    }
    this.admitWaiters();
    this.pump();
  }
}
