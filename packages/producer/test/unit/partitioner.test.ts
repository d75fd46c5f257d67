import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, murmur2, partitionForKey } from '../../src/internal/partitioner.js';

interface Vectors {
  client: string;
  vectors: Array<{ key: string; keyHex: string; murmur2: number; partitions: Record<string, number> }>;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/partition-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

describe('Java-compatible partitioner (golden vectors from kafka-clients)', () => {
  it('has vectors with non-ASCII keys computed by the Java client', () => {
    expect(fixture.client).toMatch(/^kafka-clients \d/);
    expect(fixture.vectors.length).toBeGreaterThan(20);
    expect(fixture.vectors.some((v) => Buffer.byteLength(v.key) > v.key.length)).toBe(true);
    expect(fixture.vectors.some((v) => v.key.includes('日本'))).toBe(true);
  });

  it.each(fixture.vectors.map((v) => [v.key.length > 30 ? `${v.key.slice(0, 30)}…` : v.key, v] as const))(
    'matches Utils.murmur2 and partitionForKey for %j',
    (_label, v) => {
      const bytes = Buffer.from(v.keyHex, 'hex');
      expect(Buffer.from(v.key, 'utf8').toString('hex')).toBe(v.keyHex);
      expect(murmur2(bytes)).toBe(v.murmur2);
      for (const [count, partition] of Object.entries(v.partitions)) {
        expect(partitionForKey(v.key, Number(count))).toBe(partition);
        expect(partitionForKey(bytes, Number(count))).toBe(partition);
      }
    },
  );

  const meta = (n: number, leaderless: number[] = []) =>
    Array.from({ length: n }, (_, i) => ({
      partitionId: i,
      leader: leaderless.includes(i) ? -1 : 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));

  it('uses the key, ignores nothing else, and records the chosen partition on the message', () => {
    const partitioner = javaCompatiblePartitioner();
    const v = fixture.vectors.find((x) => x.key === 'vm-12345')!;
    const message: { key: string; value: string; partition?: number } = { key: 'vm-12345', value: 'x' };
    expect(partitioner({ topic: 't', partitionMetadata: meta(12), message })).toBe(v.partitions['12']);
    expect(message.partition).toBe(v.partitions['12']);
  });

  it('keeps an explicit partition', () => {
    const partitioner = javaCompatiblePartitioner();
    expect(
      partitioner({
        topic: 't',
        partitionMetadata: meta(12),
        message: { key: 'vm-1', value: 'x', partition: 5 },
      }),
    ).toBe(5);
  });

  it('spreads null keys over partitions that have a leader', () => {
    const partitioner = javaCompatiblePartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      seen.add(
        partitioner({ topic: 't', partitionMetadata: meta(4, [2]), message: { key: null, value: 'x' } }),
      );
    }
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });
});
