/**
 * What a broker's answer to one send proves, checked against what was sent. kafkajs 2.2.4 can resolve a send with
 * answers for only some of its partitions (it keeps each broker's answer across the retries of one send, so a
 * partition that moved to a broker that had already answered is never re-sent; see docs/producer.md, "Acknowledged
 * means written"). A record counts as written only when the answer names its topic and partition, with no error code
 * and a real base offset; nothing is ever assumed for a partition the answer does not name.
 * Pure functions: no client, no I/O.
 */

/** One partition's entry in a send's answer, as kafkajs's `sendBatch` resolves it (`RecordMetadata`). */
export interface PartitionAnswer {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
}

/** A base offset as the broker writes it: a non-negative decimal integer (`-1` means "no offset"). */
const OFFSET = /^\d{1,19}$/;

/**
 * The base offset the answer gives `partition` of `topic`, or undefined when the answer does not acknowledge it (not
 * named, an error code, or no real offset). When a partition is named twice (kafkajs may write it through two brokers
 * in one send), the first acknowledgement is taken: its records are at that offset.
 */
export function acknowledgedBaseOffset(
  topic: string,
  partition: number | undefined,
  answer: readonly PartitionAnswer[],
): string | undefined {
  if (partition === undefined) return undefined;
  for (const entry of answer) {
    if (entry.partition !== partition || entry.topicName !== topic || entry.errorCode !== 0) continue;
    const offset = entry.baseOffset;
    if (offset !== undefined && OFFSET.test(offset)) return offset;
  }
  return undefined;
}

/** The base offset of every partition of `topic` the answer acknowledges (see {@link acknowledgedBaseOffset}). */
export function acknowledgedPartitions(
  topic: string,
  answer: readonly PartitionAnswer[],
): Map<number, string> {
  const acknowledged = new Map<number, string>();
  for (const entry of answer) {
    if (entry.topicName !== topic || entry.errorCode !== 0 || acknowledged.has(entry.partition)) continue;
    const offset = entry.baseOffset;
    if (offset !== undefined && OFFSET.test(offset)) acknowledged.set(entry.partition, offset);
  }
  return acknowledged;
}

/**
 * The offset of each record of one send, in send order, from its partition's acknowledged base offset: a
 * partition's records were appended in send order as one batch, so the k-th record of partition p is at
 * `base(p) + k`. A record whose partition is not acknowledged (or unknown) gets undefined: it has no offset.
 */
export function recordOffsets(
  partitions: ReadonlyArray<number | undefined>,
  acknowledged: ReadonlyMap<number, string>,
): Array<string | undefined> {
  const next = new Map<number, number | bigint>();
  return partitions.map((partition) => {
    if (partition === undefined) return undefined;
    let offset = next.get(partition);
    if (offset === undefined) {
      const base = acknowledged.get(partition);
      if (base === undefined) return undefined;
      offset = parseOffset(base);
    }
    next.set(partition, typeof offset === 'bigint' ? offset + 1n : offset + 1);
    return String(offset);
  });
}

/** The distinct partitions among `partitions`, ascending (unknown ones left out). */
export function distinctPartitions(partitions: Iterable<number | undefined>): number[] {
  const seen = new Set<number>();
  for (const partition of partitions) if (partition !== undefined) seen.add(partition);
  return [...seen].sort((a, b) => a - b);
}

/** Offsets above this are kept as bigint (a number is exact up to 2^53). */
const MAX_NUMBER_OFFSET = 2n ** 52n;

/** A broker's base offset (a decimal string) as a number when exact, otherwise as a bigint. */
function parseOffset(text: string): number | bigint {
  // Up to 15 digits is below 2^52: Number() is exact and costs far less than BigInt().
  if (text.length <= 15) return Number(text);
  const big = BigInt(text);
  return big < MAX_NUMBER_OFFSET ? Number(big) : big;
}
