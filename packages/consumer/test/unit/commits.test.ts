import { describe, expect, it } from 'vitest';
import { commitBatch } from '../../src/internal/commits.js';
import type { CommitHealth } from '../../src/internal/commits.js';

type Emitted = Array<[string, Record<string, unknown>]>;

/** A batch payload whose commits fail with the given errors, in order, then succeed. */
function fakePayload(failures: Error[]) {
  const committed: unknown[] = [];
  return {
    committed,
    uncommittedOffsets: () => ({ topics: [{ topic: 't', partitions: [{ partition: 2, offset: '41' }] }] }),
    commitOffsetsIfNecessary: (offsets?: unknown) => {
      const failure = failures.shift();
      if (failure !== undefined) return Promise.reject(failure);
      committed.push(offsets);
      return Promise.resolve();
    },
  };
}

function io(final: boolean) {
  const emitted: Emitted = [];
  const warnings: Array<Record<string, unknown> | undefined> = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_: string, fields?: Record<string, unknown>) => warnings.push(fields),
    error: () => undefined,
  };
  const emit = ((name: string, payload: Record<string, unknown>) => emitted.push([name, payload])) as never;
  return { emitted, warnings, options: { emit, logger, final } };
}

describe('commitBatch', () => {
  it('reports a failed commit in the middle of a batch and goes on; the next success resets the count', async () => {
    const coordinatorGone = Object.assign(new Error('Connection error: ECONNREFUSED'), { retriable: true });
    const payload = fakePayload([coordinatorGone, coordinatorGone]);
    const health: CommitHealth = { failures: 0, lastSuccess: Date.now() - 1000 };
    const first = io(false);
    expect(await commitBatch(payload, health, first.options)).toBe(false);
    expect(await commitBatch(payload, health, first.options)).toBe(false);
    expect(first.emitted.map(([name, p]) => [name, p.failures, p.partition, p.offset])).toEqual([
      ['consumer:commit-failed', 1, 2, '41'],
      ['consumer:commit-failed', 2, 2, '41'],
    ]);
    expect(first.emitted[0]![1].error).toBe(coordinatorGone);
    expect(first.emitted[1]![1].sinceLastCommitMs).toBeGreaterThanOrEqual(1000);
    expect(first.warnings[1]).toMatchObject({ failures: 2 });
    expect(await commitBatch(payload, health, first.options)).toBe(true);
    expect(health.failures).toBe(0);
    expect(payload.committed).toHaveLength(1);
    expect(first.emitted.at(-1)).toEqual(['consumer:commit', { topic: 't', partition: 2, offset: '41' }]);
  });

  it('rethrows the client error at the end of the batch, after reporting it', async () => {
    const error = new Error('Request timed out');
    const { emitted, options } = io(true);
    await expect(commitBatch(fakePayload([error]), { failures: 0, lastSuccess: 0 }, options)).rejects.toBe(
      error,
    );
    expect(emitted.map(([name]) => name)).toEqual(['consumer:commit-failed']);
  });

  it('rethrows a rebalancing error at once, so kafkajs rejoins instead of the batch going on', async () => {
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const { options } = io(false);
    await expect(
      commitBatch(fakePayload([rebalancing]), { failures: 0, lastSuccess: 0 }, options),
    ).rejects.toBe(rebalancing);
  });

  it('commits nothing and reports nothing when no offset was resolved', async () => {
    const payload = {
      uncommittedOffsets: () => ({ topics: [] }),
      commitOffsetsIfNecessary: () => Promise.reject(new Error('no')),
    };
    const { emitted, options } = io(true);
    expect(await commitBatch(payload, { failures: 0, lastSuccess: 0 }, options)).toBe(true);
    expect(emitted).toEqual([]);
  });
});
