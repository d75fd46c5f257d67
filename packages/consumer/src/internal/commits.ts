/**
 * Committing a batch's offsets, with the failures reported instead of hidden. When the group coordinator dies, kafkajs
 * keeps sending commits to it (its coordinator is cached until the group rejoins): each commit fails after the
 * client's retries while the handlers go on. Here every failure becomes a `consumer:commit-failed` event, a counter
 * and a log line; the offsets stay resolved, so the next commit that succeeds covers them. A commit that still fails
 * when the batch ends, or fails because the group is rebalancing, is rethrown as kafkajs raised it, so that kafkajs
 * does what it does for that error: rejoin the group, or stop its consumer and start it again, which looks the
 * coordinator up afresh (both visible: `consumer:group-join`, `consumer:client-restart`).
 */
import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from '../types.js';
import type { PipelineDeps } from './pipeline.js';

/** The commit state of one consumer, shared by its batches (the coordinator is per group, not per partition). */
export interface CommitHealth {
  /** Failed commits in a row (0 after a success). */
  failures: number;
  /** When a commit last succeeded (epoch ms; the consumer's start before the first). */
  lastSuccess: number;
}

/** kafkajs's own test for "the group is rebalancing" (its `isRebalancing`): the batch must stop, not go on. */
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION'
  );
}

/**
 * Commits what the batch resolved. A failure is reported; then, in the middle of a batch, it returns false (the next
 * commit covers these offsets), and at the end of the batch (`final`) or while the group rebalances it rethrows.
 */
export async function commitBatch(
  payload: Pick<EachBatchPayload, 'uncommittedOffsets' | 'commitOffsetsIfNecessary'>,
  health: CommitHealth,
  io: { emit: PipelineDeps<unknown>['emit']; logger: Logger | undefined; final: boolean },
): Promise<boolean> {
  const offsets = payload.uncommittedOffsets();
  if (offsets.topics.length === 0) return true;
  try {
    await payload.commitOffsetsIfNecessary(offsets);
  } catch (error) {
    health.failures += 1;
    const sinceLastCommitMs = Date.now() - health.lastSuccess;
    for (const { topic, partitions } of offsets.topics) {
      for (const { partition, offset } of partitions) {
        io.emit('consumer:commit-failed', {
          error,
          topic,
          partition,
          offset,
          failures: health.failures,
          sinceLastCommitMs,
        });
      }
    }
    io.logger?.warn(
      'committing offsets failed; the records stay handled and are committed by the next commit',
      {
        failures: health.failures,
        sinceLastCommitMs,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      },
    );
    if (io.final || isRebalancing(error)) throw error;
    return false;
  }
  health.failures = 0;
  health.lastSuccess = Date.now();
  for (const { topic, partitions } of offsets.topics) {
    for (const { partition, offset } of partitions) io.emit('consumer:commit', { topic, partition, offset });
  }
  return true;
}
