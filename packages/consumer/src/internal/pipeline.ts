/**
 * The per-record pipeline, as stages around injected dependencies (the event store, the dead-letter sender,
 * heartbeats), so the Kafka consumer and the test pipeline run exactly the same code:
 *
 *   filter → decode/validate (record codec) → tenant check → begin (dedup claim + stale check, one store step)
 *   → handler with retries → finish (position + done, one store step) | dead-letter
 *
 * `processRecord` resolves with an outcome for every record the offset may move past. It rejects only
 * when a dependency failed (dead-letter send, store): the caller must not move the offset past it.
 */
import {
  HEADER_NAMES,
  buildKey,
  decodeRecord,
  isVmwEventsError,
  parseKey,
  readHeader,
} from '@org/vmware-events-schema';
import type { KeyStrategy } from '@org/vmware-events-schema';
import { ConsumerError } from '../errors.js';
import { buildDeadLetterRecord } from '../dead-letter.js';
import type { OutgoingRecord } from '../dead-letter.js';
import type { CircuitBreaker } from '../circuit-breaker.js';
import type { BeginResult, EventStore, SequencedEvent } from '../stores/event-store.js';
import { abortableDelay, backoffDelay, sleepWithHeartbeat } from './retry.js';
import type { RetryPolicy } from './retry.js';
import type {
  ConsumerEvents,
  DeadLetterReason,
  EventFilter,
  EventHandler,
  RawRecord,
  RecordOutcome,
} from '../types.js';

/** Everything a pipeline run needs. */
export interface PipelineDeps<TEvent> {
  handler: EventHandler<TEvent>;
  /** Bytes → validated event; throws a decode or validation error. */
  decode: (value: Buffer | null) => TEvent;
  /** Dedup leases, completions and VM positions. */
  store: EventStore;
  /** Whether events are judged against their VM's position (the stale check). */
  staleCheck: boolean;
  filter: EventFilter;
  /** When set, the tenant (or hash) in the record key is checked against the payload. */
  keyStrategy: KeyStrategy | undefined;
  retry: RetryPolicy;
  isFatal: (error: unknown) => boolean;
  leaseMs: number;
  groupId: string;
  deadLetterTopic: (topic: string) => string;
  sendDeadLetter: (topic: string, record: OutgoingRecord) => Promise<void>;
  breaker: CircuitBreaker | null;
  emit: <TName extends keyof ConsumerEvents>(name: TName, ...args: ConsumerEvents[TName]) => void;
  /** How often to heartbeat while waiting, ms. */
  heartbeatEveryMs: number;
}

/** Per-call hooks from the driver. */
export interface PipelineRun {
  heartbeat: () => Promise<void>;
  /** Aborted when the consumer closes: no new retries start, the record is left for redelivery. */
  signal: AbortSignal;
}

/** Stage 1: the header filter. Returns the failing field, or undefined when the record passes. */
export function filterRecord(
  record: RawRecord,
  filter: EventFilter,
): { field: 'tenant' | 'environment' | 'operation'; value: string | undefined } | undefined {
  const checks = [
    ['tenant', HEADER_NAMES.tenant, filter.tenants],
    ['environment', HEADER_NAMES.env, filter.environments],
    ['operation', HEADER_NAMES.operationType, filter.operations],
  ] as const;
  for (const [field, header, allowed] of checks) {
    if (!allowed) continue;
    const value = readHeader(record.headers, header);
    if (value === undefined || !allowed.includes(value)) return { field, value };
  }
  return undefined;
}

interface TenantFields {
  operationInfo: { tenantId: string; environment: string; vmId: string };
}

/**
 * Stage 3: the tenant in the `tenant` header, in the key (when the key strategy carries it, or as part of
 * a `hash` key) and in the payload must agree. Returns a description of the disagreement, or undefined.
 */
export function checkTenant(
  event: TenantFields,
  headers: Readonly<Record<string, string>>,
  key: string | null,
  keyStrategy: KeyStrategy | undefined,
): string | undefined {
  const { tenantId, environment, vmId } = event.operationInfo;
  const header = headers[HEADER_NAMES.tenant];
  if (header !== undefined && header !== tenantId) {
    return `tenant header '${header}' differs from payload tenant '${tenantId}'`;
  }
  if (!keyStrategy || keyStrategy === 'vmId' || keyStrategy === 'env.vmId') return undefined;
  if (key === null) return `record has no key, expected a '${keyStrategy}' key carrying the tenant`;
  if (keyStrategy === 'hash') {
    let expected: string;
    try {
      expected = buildKey('hash', { vmId, environment, tenantId });
    } catch (error) {
      return `payload cannot form a hash key (${error instanceof Error ? error.message : String(error)})`;
    }
    return key === expected ? undefined : `hash key does not match the payload's environment, tenant and VM`;
  }
  let keyTenant: string;
  try {
    keyTenant = parseKey(keyStrategy, key).tenantId;
  } catch (error) {
    return `key does not have the '${keyStrategy}' shape (${error instanceof Error ? error.message : String(error)})`;
  }
  return keyTenant === tenantId
    ? undefined
    : `key tenant '${keyTenant}' differs from payload tenant '${tenantId}'`;
}

interface SequencedFields {
  source: string;
  operationInfo: { vmId: string; vcenter?: { instanceUuid?: string; eventKey?: number } };
}

/** The stale-check scope and position of an event, or undefined when it carries no vCenter key. */
export function sequenceOf(event: SequencedFields): SequencedEvent | undefined {
  const vcenter = event.operationInfo.vcenter;
  if (!vcenter || typeof vcenter.eventKey !== 'number') return undefined;
  return {
    scope: `${event.source}|${event.operationInfo.vmId}`,
    position: { instanceUuid: vcenter.instanceUuid ?? '', eventKey: vcenter.eventKey },
  };
}

function describe(record: RawRecord) {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

async function deadLetter<TEvent>(
  deps: PipelineDeps<TEvent>,
  record: RawRecord,
  reason: DeadLetterReason,
  error: unknown,
  attempts: number,
  eventId: string | undefined,
): Promise<RecordOutcome> {
  const topic = deps.deadLetterTopic(record.topic);
  try {
    await deps.sendDeadLetter(
      topic,
      buildDeadLetterRecord({ record, reason, error, attempts, groupId: deps.groupId }),
    );
  } catch (cause) {
    throw new ConsumerError(
      'CONSUMER_DEAD_LETTER_FAILED',
      `Could not write ${record.topic}/${record.partition}@${record.offset} to dead-letter topic '${topic}'`,
      { cause, retriable: true },
    );
  }
  deps.emit('consumer:dead-letter', {
    reason,
    eventId,
    attempts,
    deadLetterTopic: topic,
    error,
    ...describe(record),
  });
  return { kind: 'dead-lettered', reason, eventId, attempts, error, deadLetterTopic: topic };
}

/** Repeat `begin` while another instance holds the event's lease, until it finishes or the lease expires. */
async function beginWhenFree<TEvent>(
  deps: PipelineDeps<TEvent>,
  run: PipelineRun,
  eventId: string,
  sequence: SequencedEvent | undefined,
): Promise<BeginResult> {
  const pollMs = Math.max(50, Math.min(1000, deps.leaseMs / 10));
  for (;;) {
    let begun: BeginResult;
    try {
      begun = await deps.store.begin(eventId, deps.leaseMs, sequence);
    } catch (error) {
      // The store failed part-way (a claim, then no position): give any lease back so the redelivery can claim it.
      await deps.store.release(eventId).catch(() => undefined);
      throw error;
    }
    if (begun.kind !== 'in-progress') return begun;
    // Another instance (or a lease left by a crashed one) holds the event: wait until it finishes or expires.
    if (run.signal.aborted)
      throw new ConsumerError('CONSUMER_CLOSED', 'Consumer closed while waiting for a lease');
    await sleepWithHeartbeat(pollMs, run.heartbeat, deps.heartbeatEveryMs, run.signal);
  }
}

async function waitForBreaker<TEvent>(deps: PipelineDeps<TEvent>, run: PipelineRun): Promise<void> {
  const breaker = deps.breaker;
  if (!breaker) return;
  while (!breaker.tryAcquire()) {
    if (run.signal.aborted)
      throw new ConsumerError('CONSUMER_CLOSED', 'Consumer closed while the circuit was open');
    const wait = Math.min(deps.heartbeatEveryMs, Math.max(50, breaker.remainingOpenMs()));
    await abortableDelay(wait, run.signal);
    await run.heartbeat();
  }
}

/** Run one record through the whole pipeline. */
export async function processRecord<TEvent>(
  deps: PipelineDeps<TEvent>,
  record: RawRecord,
  run: PipelineRun,
): Promise<RecordOutcome> {
  // 1. filter on headers, before parsing
  const filtered = filterRecord(record, deps.filter);
  if (filtered) {
    deps.emit('consumer:filtered', { ...filtered, ...describe(record) });
    return { kind: 'filtered', ...filtered };
  }

  // 2. decode and validate against the version the event declares
  let event: TEvent;
  let headers: Record<string, string>;
  let key: string | null;
  try {
    ({ event, headers, key } = decodeRecord(record, deps.decode));
  } catch (error) {
    const reason: DeadLetterReason =
      isVmwEventsError(error) &&
      (error.code === 'SCHEMA_VALIDATION' || error.code === 'UNKNOWN_SCHEMA_VERSION')
        ? 'SCHEMA_VALIDATION'
        : 'DECODE_ERROR';
    return deadLetter(deps, record, reason, error, 0, readHeader(record.headers, HEADER_NAMES.eventId));
  }
  const fields = event as unknown as TenantFields & SequencedFields & { eventId: string };
  const eventId = fields.eventId;

  // 3. tenant in headers, key and payload must agree
  const mismatch = checkTenant(fields, headers, key, deps.keyStrategy);
  if (mismatch !== undefined) {
    const error = new ConsumerError('CONSUMER_TENANT_MISMATCH', `Tenant mismatch: ${mismatch}`);
    return deadLetter(deps, record, 'TENANT_MISMATCH', error, 0, eventId);
  }

  // 4 + 5. dedup claim (a lease: one instance at a time) and stale check by vCenter key, per source + VM
  const sequence = deps.staleCheck ? sequenceOf(fields) : undefined;
  const begun = await beginWhenFree(deps, run, eventId, sequence);
  if (begun.kind === 'duplicate') {
    deps.emit('consumer:duplicate', { eventId, ...describe(record) });
    return { kind: 'duplicate', eventId };
  }
  if (begun.kind === 'stale' && sequence) {
    // `begin` has marked it done already.
    const detail = {
      eventId,
      scope: sequence.scope,
      eventKey: sequence.position.eventKey,
      lastKey: begun.lastKey,
    };
    deps.emit('consumer:stale', { ...detail, ...describe(record) });
    return { kind: 'stale', ...detail };
  }

  try {
    // 6. the handler, with retries
    const context = {
      event,
      headers,
      key,
      record: { ...describe(record), timestamp: record.timestamp },
      signal: run.signal,
    };
    let attempt = 0;
    for (;;) {
      attempt += 1;
      await waitForBreaker(deps, run);
      const started = performance.now();
      try {
        await deps.handler({ ...context, attempt });
      } catch (error) {
        const durationMs = performance.now() - started;
        deps.breaker?.record(false);
        deps.emit('consumer:handler-latency', { eventId, durationMs, ok: false });
        if (deps.isFatal(error)) {
          await deps.store.release(eventId);
          return await deadLetter(deps, record, 'HANDLER_FATAL', error, attempt, eventId);
        }
        if (attempt >= deps.retry.maxAttempts) {
          await deps.store.release(eventId);
          return await deadLetter(deps, record, 'RETRIES_EXHAUSTED', error, attempt, eventId);
        }
        if (run.signal.aborted) {
          throw new ConsumerError('CONSUMER_CLOSED', 'Consumer closed before the retry of a failed event', {
            cause: error,
          });
        }
        const delayMs = backoffDelay(deps.retry, attempt);
        deps.emit('consumer:retry', { eventId, attempt, delayMs, error, ...describe(record) });
        await sleepWithHeartbeat(delayMs, run.heartbeat, deps.heartbeatEveryMs, run.signal);
        if (!(await deps.store.renew(eventId, deps.leaseMs))) {
          // The lease expired during a long backoff; take it again (or learn that someone finished it).
          const again = await beginWhenFree(deps, run, eventId, undefined);
          if (again.kind === 'duplicate') {
            deps.emit('consumer:duplicate', { eventId, ...describe(record) });
            return { kind: 'duplicate', eventId };
          }
        }
        continue;
      }
      const durationMs = performance.now() - started;
      deps.breaker?.record(true);
      deps.emit('consumer:handler-latency', { eventId, durationMs, ok: true });

      // 7. mark done: the VM's position and the event id, one store step
      await deps.store.finish(eventId, sequence);
      deps.emit('consumer:processed', { eventId, attempts: attempt, durationMs, ...describe(record) });
      return { kind: 'processed', eventId, attempts: attempt, durationMs };
    }
  } catch (error) {
    // A dependency failed or the consumer is closing: give the lease back so the redelivery can claim it.
    await deps.store.release(eventId).catch(() => undefined);
    throw error;
  }
}
