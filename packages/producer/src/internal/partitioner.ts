/**
 * The Java client's default partitioning, byte for byte: `toPositive(murmur2(utf8(key))) % numPartitions`
 * (org.apache.kafka.common.utils.Utils.murmur2 / BuiltInPartitioner.partitionForKey). The producer always
 * installs this partitioner in kafkajs, so a VM's events land on the same partition whichever client wrote them.
 */
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Java's `Utils.murmur2(byte[])`: 32-bit signed result. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive(int)`. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition the Java client's default partitioner chooses for a non-null key. */
export function partitionForKey(key: string | Uint8Array, numPartitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return toPositive(murmur2(bytes)) % numPartitions;
}

/**
 * A kafkajs partitioner factory: explicit partition wins, a key is hashed like Java does, and a null key is
 * spread round-robin over the partitions that have a leader (Java spreads null keys too; no order is promised).
 * The chosen partition is written back to `message.partition`, so the caller learns where each record went and a
 * retried send keeps every record on the partition first chosen.
 */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const numPartitions = partitionMetadata.length;
    let partition: number;
    if (message.key !== undefined && message.key !== null) {
      partition = partitionForKey(message.key, numPartitions);
    } else {
      const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
      counters.set(topic, next);
      const available = partitionMetadata.filter((p) => p.leader >= 0);
      partition =
        available.length > 0 ? available[next % available.length]!.partitionId : next % numPartitions;
    }
    message.partition = partition;
    return partition;
  };
};
