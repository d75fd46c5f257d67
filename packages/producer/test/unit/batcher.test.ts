import { afterEach, describe, expect, it, vi } from 'vitest';
import { LingerBatcher } from '../../src/internal/batcher.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function makeBatcher(
  over: Partial<ConstructorParameters<typeof LingerBatcher<number, string>>[0]> & { manual?: boolean } = {},
) {
  const sends: number[][] = [];
  const gates: Array<ReturnType<typeof deferred<void>>> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const batcher = new LingerBatcher<number, string>({
    lingerMs: 20,
    batchSizeBytes: 100,
    bufferMemoryBytes: 1000,
    maxBlockMs: 1000,
    bufferFullError: () => new Error('buffer full'),
    send: async (items) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sends.push(items);
      const gate = deferred<void>();
      gates.push(gate);
      if (!over.manual) gate.resolve();
      await gate.promise;
      inFlight--;
      return items.map((i) => `ok-${i}`);
    },
    ...over,
  });
  return { batcher, sends, gates, maxInFlight: () => maxInFlight };
}

afterEach(() => vi.useRealTimers());

describe('LingerBatcher', () => {
  it('waits lingerMs so that records published together share one send', async () => {
    vi.useFakeTimers();
    const { batcher, sends } = makeBatcher();
    const all = Promise.all([batcher.add([1], 10), batcher.add([2], 10), batcher.add([3, 4], 20)]);
    await vi.advanceTimersByTimeAsync(5);
    expect(sends).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(sends).toEqual([[1, 2, 3, 4]]);
    expect(await all).toEqual([['ok-1'], ['ok-2'], ['ok-3', 'ok-4']]);
  });

  it('sends at once when batchSizeBytes are queued, without waiting for the linger time', async () => {
    vi.useFakeTimers();
    const { batcher, sends } = makeBatcher({ lingerMs: 10_000 });
    const p = Promise.all([batcher.add([1], 60), batcher.add([2], 60)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sends.length).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    await p;
    expect(sends.flat()).toEqual([1, 2]);
  });

  it('never has more than one send in flight, and keeps publish order across sends', async () => {
    const { batcher, sends, gates, maxInFlight } = makeBatcher({ lingerMs: 0, manual: true });
    const results: Array<Promise<string[]>> = [];
    for (let i = 0; i < 10; i++) results.push(batcher.add([i], 30));
    await vi.waitFor(() => expect(sends.length).toBe(1));
    for (let round = 0; round < 20 && gates.some((g, i) => i >= round); round++) {
      gates[round]?.resolve();
      await new Promise((r) => setImmediate(r));
    }
    await vi.waitFor(async () => {
      for (const g of gates) g.resolve();
      expect((await Promise.all(results)).flat()).toEqual(Array.from({ length: 10 }, (_, i) => `ok-${i}`));
    });
    expect(maxInFlight()).toBe(1);
    expect(sends.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('does not split a group across sends, even one larger than batchSizeBytes', async () => {
    const { batcher, sends } = makeBatcher({ lingerMs: 0 });
    await Promise.all([batcher.add([1, 2, 3], 300), batcher.add([4], 10)]);
    expect(sends[0]).toEqual([1, 2, 3]);
  });

  it('applies back-pressure: add waits while the buffer is full and continues when space frees up', async () => {
    const { batcher, sends, gates } = makeBatcher({
      lingerMs: 0,
      bufferMemoryBytes: 100,
      manual: true,
    });
    const first = batcher.add([1], 80);
    let secondDone = false;
    const second = batcher.add([2], 50).then((r) => ((secondDone = true), r));
    await vi.waitFor(() => expect(sends.length).toBe(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false);
    expect(batcher.stats().blockedAdds).toBe(1);
    gates[0]!.resolve();
    await first;
    await vi.waitFor(() => expect(sends.length).toBe(2));
    gates[1]!.resolve();
    expect(await second).toEqual(['ok-2']);
  });

  it('rejects with the buffer-full error after maxBlockMs', async () => {
    const { batcher, gates } = makeBatcher({
      lingerMs: 0,
      bufferMemoryBytes: 100,
      maxBlockMs: 30,
      manual: true,
    });
    const first = batcher.add([1], 90);
    await expect(batcher.add([2], 20)).rejects.toThrow('buffer full');
    await vi.waitFor(() => expect(gates.length).toBe(1));
    gates[0]!.resolve();
    await expect(first).resolves.toEqual(['ok-1']);
  });

  it('rejects every group of a failed send with the error, and goes on with the next send', async () => {
    let calls = 0;
    const batcher = new LingerBatcher<number, number>({
      lingerMs: 10,
      batchSizeBytes: 1000,
      bufferMemoryBytes: 1000,
      maxBlockMs: 100,
      bufferFullError: () => new Error('full'),
      send: (items) => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve(items);
      },
    });
    const a = batcher.add([1], 1);
    const b = batcher.add([2], 1);
    const c = batcher.addOne(3, 1);
    await expect(a).rejects.toThrow('broker down');
    await expect(b).rejects.toThrow('broker down');
    await expect(c).rejects.toThrow('broker down');
    await expect(batcher.add([4], 1)).resolves.toEqual([4]);
  });

  it('rejects with the very error of the send, and no rejection goes unhandled on the way', async () => {
    const refused = new Error('refused');
    const thrown = new Error('thrown');
    let calls = 0;
    const batcher = new LingerBatcher<number, number>({
      lingerMs: 0,
      batchSizeBytes: 1000,
      bufferMemoryBytes: 1000,
      maxBlockMs: 100,
      bufferFullError: () => new Error('full'),
      send: (items) => (++calls === 1 ? Promise.resolve(items.map(() => refused)) : Promise.reject(thrown)),
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const one = batcher.addOne(1, 1);
      await expect(one).rejects.toBe(refused);
      const group = batcher.add([2, 3], 2);
      await expect(group).rejects.toBe(thrown);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('flush sends what is queued without waiting for the linger time and resolves when it is settled', async () => {
    const { batcher, sends } = makeBatcher({ lingerMs: 60_000 });
    const p = batcher.add([7], 1);
    const started = Date.now();
    await batcher.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sends).toEqual([[7]]);
    await expect(p).resolves.toEqual(['ok-7']);
    await batcher.flush();
  });

  it('rejects only the groups whose items the send reports as failed', async () => {
    const batcher = new LingerBatcher<number, string>({
      lingerMs: 20,
      batchSizeBytes: 1000,
      bufferMemoryBytes: 1000,
      maxBlockMs: 100,
      bufferFullError: () => new Error('full'),
      send: (items) => Promise.resolve(items.map((i) => (i === 2 ? new Error(`refused ${i}`) : `ok-${i}`))),
    });
    const [one, twoAndThree, four] = [batcher.add([1], 1), batcher.add([2, 3], 2), batcher.addOne(4, 1)];
    await expect(one).resolves.toEqual(['ok-1']);
    await expect(twoAndThree).rejects.toThrow('refused 2');
    await expect(four).resolves.toBe('ok-4');
  });

  describe('sendNow (an item that leaves at once and alone)', () => {
    function nowBatcher(lingerMs = 0) {
      const direct: number[] = [];
      const gates: Array<ReturnType<typeof deferred<string>>> = [];
      const base = makeBatcher({
        lingerMs,
        sendNow: (item, settled) => {
          direct.push(item);
          const gate = deferred<string>();
          gates.push(gate);
          return gate.promise.then(
            (value) => (settled(), value),
            (error: unknown) => {
              settled();
              throw error;
            },
          );
        },
      });
      return { ...base, direct, gates };
    }

    it('sends an idle addOne at once; what comes meanwhile is queued and sent after it settles', async () => {
      const { batcher, sends, direct, gates } = nowBatcher();
      const first = batcher.addOne(1, 10);
      expect(direct).toEqual([1]);
      const second = batcher.addOne(2, 10);
      const third = batcher.add([3], 10);
      await Promise.resolve();
      expect(sends).toEqual([]); // one send in flight at a time
      expect(batcher.stats().bufferedBytes).toBe(30);
      gates[0]!.resolve('now-1');
      await expect(first).resolves.toBe('now-1');
      expect(sends).toEqual([[2, 3]]);
      await expect(Promise.all([second, third])).resolves.toEqual(['ok-2', ['ok-3']]);
      expect(batcher.stats()).toMatchObject({ sends: 2, bufferedBytes: 0, queuedBytes: 0 });
    });

    it('rejects with the error of the send, frees the buffer and goes on', async () => {
      const { batcher, direct, gates } = nowBatcher();
      const failed = batcher.addOne(1, 10);
      gates[0]!.reject(new Error('refused'));
      await expect(failed).rejects.toThrow('refused');
      expect(batcher.stats().bufferedBytes).toBe(0);
      const next = batcher.addOne(2, 10);
      expect(direct).toEqual([1, 2]);
      gates[1]!.resolve('now-2');
      await expect(next).resolves.toBe('now-2');
    });

    it('flush waits for an item sent at once', async () => {
      const { batcher, gates } = nowBatcher();
      void batcher.addOne(1, 10);
      let flushed = false;
      const flush = batcher.flush().then(() => (flushed = true));
      await Promise.resolve();
      expect(flushed).toBe(false);
      gates[0]!.resolve('now-1');
      await flush;
      expect(flushed).toBe(true);
    });

    it('is not used when a linger time is set', async () => {
      vi.useFakeTimers();
      const { batcher, sends, direct } = nowBatcher(20);
      const one = batcher.addOne(1, 10);
      await vi.advanceTimersByTimeAsync(25);
      expect(direct).toEqual([]);
      expect(sends).toEqual([[1]]);
      await expect(one).resolves.toBe('ok-1');
    });
  });
});
