/**
 * One vCenter: a reader (session → event history collector → paged reads → mapping → bounded queue)
 * and a publisher (queue → sink, retried until acknowledged → checkpoint), in read order.
 */
import { validateVmOperationEvent } from '@org/vmware-events-schema';
import { isKeyAfter } from './checkpoint.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import type { BridgeConfig, VcenterTarget } from './config.js';
import { isBridgeError } from './errors.js';
import { describeError } from './logger.js';
import type { Logger } from './logger.js';
import { EventMemory } from './event-memory.js';
import { classify, factsNeeded, mapEvent, toRawCloudEvent } from './mapping.js';
import type { Classification, MappingContext, MappingFacts } from './mapping.js';
import { BoundedQueue, backoff, sleep } from './queue.js';
import type { EventSink, SinkRecord } from './sink.js';
import { VsphereClient } from './soap/client.js';
import type { MoRef, ServiceContent } from './soap/client.js';
import { SoapFaultError } from './errors.js';
import { parseVcenterEvent } from './vcenter-event.js';
import type { VcenterEvent } from './vcenter-event.js';

/** Counters and gauges of one vCenter (exposed by the health endpoint). */
export interface WorkerStats {
  /** vCenter events read and accepted (after the resume skip). */
  read: number;
  /** Canonical events acknowledged by Kafka. */
  published: number;
  /** Raw CloudEvents acknowledged by Kafka. */
  publishedRaw: number;
  /** Unmapped events dropped because BRIDGE_UNMAPPED=ignore. */
  ignored: number;
  /** Events skipped on resume because the checkpoint says they were already published. */
  skippedReplay: number;
  /** Times the event keys restarted under the same instanceUuid (history reset). */
  historyResets: number;
  /** Events published as `update` because the VM's hardware could not be read. */
  degraded: number;
  /** Mapped events the schema refused (published to the raw topic instead). */
  invalid: number;
  /** Errors: vCenter calls, Kafka sends, checkpoint writes, unreadable events. */
  errors: number;
  /** Events read but not yet acknowledged. */
  pending: number;
  /** Seconds between now and the createdTime of the oldest unacknowledged event (0 when caught up). */
  lagSeconds: number;
  /** Whether the vCenter session is up. */
  vcenterConnected: boolean;
  /** Whether the last Kafka send succeeded. */
  kafkaConnected: boolean;
  instanceUuid: string | undefined;
  lastPublishedKey: number | undefined;
}

interface WorkItem {
  readonly position: Checkpoint;
  readonly createdMs: number;
  /** What the event becomes: none (ignored), one record, or two (a clone and its new VM's create). */
  readonly records: readonly SinkRecord[];
}

/** Compare two vCenter createdTime strings at their full precision (µs on vCenter, ns on the simulator). */
export function compareCreatedTime(a: string, b: string): number {
  const ms = Date.parse(a) - Date.parse(b);
  if (ms !== 0 && Number.isFinite(ms)) return Math.sign(ms);
  const fraction = (t: string) => (/\.(\d+)/.exec(t)?.[1] ?? '').padEnd(9, '0');
  const fa = fraction(a);
  const fb = fraction(b);
  return fa === fb ? 0 : fa > fb ? 1 : -1;
}

/**
 * An event whose key is not after the checkpoint's but whose createdTime is later: the key space restarted
 * (history reset), so it is a new event, not a replay. A false positive (two neighbouring events whose
 * times are inverted) only re-publishes that event with its same id; a false negative would lose events.
 */
export function isHistoryReset(event: { key: number; createdTime: string }, position: Checkpoint): boolean {
  return (
    event.key !== position.lastEventKey && compareCreatedTime(event.createdTime, position.lastCreatedTime) > 0
  );
}

/** Dependencies of a {@link VcenterWorker}. */
export interface WorkerDeps {
  readonly config: BridgeConfig;
  readonly sink: EventSink;
  readonly store: CheckpointStore;
  readonly logger: Logger;
}

/** Reads one vCenter and publishes its events. */
export class VcenterWorker {
  readonly target: VcenterTarget;
  readonly stats: WorkerStats = {
    read: 0,
    published: 0,
    publishedRaw: 0,
    ignored: 0,
    skippedReplay: 0,
    historyResets: 0,
    degraded: 0,
    invalid: 0,
    errors: 0,
    pending: 0,
    lagSeconds: 0,
    vcenterConnected: false,
    kafkaConnected: false,
    instanceUuid: undefined,
    lastPublishedKey: undefined,
  };
  readonly #deps: WorkerDeps;
  readonly #client: VsphereClient;
  readonly #queue: BoundedQueue<WorkItem>;
  readonly #log: Logger;
  readonly #memory = new EventMemory();
  #inFlight: readonly WorkItem[] = [];

  constructor(target: VcenterTarget, deps: WorkerDeps) {
    this.target = target;
    this.#deps = deps;
    this.#queue = new BoundedQueue(deps.config.bufferSize);
    this.#client = new VsphereClient({
      url: target.url,
      username: target.username,
      password: target.password,
      insecure: deps.config.insecure,
      requestTimeoutMs: deps.config.requestTimeoutMs,
    });
    const base = deps.logger;
    const vcenter = target.url;
    this.#log = {
      debug: (m, f) => base.debug(m, { vcenter, ...f }),
      info: (m, f) => base.info(m, { vcenter, ...f }),
      warn: (m, f) => base.warn(m, { vcenter, ...f }),
      error: (m, f) => base.error(m, { vcenter, ...f }),
    };
  }

  /** Refresh the gauges (pending, lag). */
  refreshGauges(now = Date.now()): void {
    const oldest = this.#inFlight[0] ?? this.#queue.peek();
    this.stats.pending = this.#inFlight.length + this.#queue.size;
    this.stats.lagSeconds = oldest ? Math.max(0, (now - oldest.createdMs) / 1000) : 0;
  }

  /**
   * Run until `signal` aborts; then stop reading, publish what was read (up to `drainMs`), checkpoint, log out.
   */
  async run(signal: AbortSignal, drainMs = 10_000): Promise<void> {
    const publisherStop = new AbortController();
    const publisher = this.#publish(publisherStop.signal);
    try {
      await this.#read(signal);
    } finally {
      const deadline = Date.now() + drainMs;
      while ((this.#queue.size > 0 || this.#inFlight.length > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      publisherStop.abort(new Error('stopped'));
      await publisher;
      await this.#client.logout();
      this.#client.close();
      this.stats.vcenterConnected = false;
    }
  }

  async #startPosition(
    content: ServiceContent,
  ): Promise<{ position: Checkpoint | undefined; beginTime: string | undefined }> {
    const checkpoint = await this.#deps.store.load(this.target.url);
    if (checkpoint && checkpoint.instanceUuid === content.instanceUuid) {
      this.#log.info('resuming from checkpoint', {
        lastEventKey: checkpoint.lastEventKey,
        lastCreatedTime: checkpoint.lastCreatedTime,
      });
      return { position: checkpoint, beginTime: checkpoint.lastCreatedTime };
    }
    if (checkpoint) {
      this.#log.warn(
        'the checkpoint belongs to a different vCenter instance; starting fresh for this vCenter',
        {
          checkpointInstanceUuid: checkpoint.instanceUuid,
          instanceUuid: content.instanceUuid,
          startFrom: this.#deps.config.startFrom,
        },
      );
    }
    return { position: undefined, beginTime: await this.#freshBeginTime() };
  }

  async #freshBeginTime(): Promise<string | undefined> {
    const from = this.#deps.config.startFrom;
    if (from === 'beginning') return undefined;
    // "now" on vCenter's clock, not ours: clock skew must not lose events.
    if (from === 'now') return this.#client.currentTime();
    return new Date(from).toISOString();
  }

  async #read(signal: AbortSignal): Promise<void> {
    const { config } = this.#deps;
    let position: Checkpoint | undefined;
    let instanceUuid: string | undefined;
    let freshBegin: string | undefined;
    let attempt = 0;
    let collector: MoRef | undefined;
    while (!signal.aborted) {
      try {
        const content = await this.#client.retrieveServiceContent();
        await this.#client.login();
        if (instanceUuid !== content.instanceUuid) {
          if (instanceUuid !== undefined) {
            this.#log.warn(
              'vCenter instance changed (a different or re-installed vCenter at this URL); starting fresh',
              {
                previousInstanceUuid: instanceUuid,
                instanceUuid: content.instanceUuid,
              },
            );
          }
          const start = await this.#startPosition(content);
          position = start.position;
          freshBegin = start.beginTime;
          instanceUuid = content.instanceUuid;
          this.stats.instanceUuid = instanceUuid;
        }
        collector = await this.#client.createCollectorForEvents({
          beginTime: position ? position.lastCreatedTime : freshBegin,
        });
        this.stats.vcenterConnected = true;
        if (attempt > 0) this.#log.info('reading events again');
        attempt = 0;
        this.#log.debug('collector created', {
          beginTime: position?.lastCreatedTime ?? freshBegin ?? 'beginning',
        });
        const ctx: MappingContext = {
          instanceUuid,
          source: this.target.url,
          environment: config.environment,
          tenantId: config.tenantId,
        };
        while (!signal.aborted) {
          const page = await this.#client.readNextEvents(collector, config.pageSize);
          if (page.length === 0) {
            await sleep(config.pollIntervalMs, signal);
            continue;
          }
          for (const el of page) {
            let event: VcenterEvent;
            try {
              event = parseVcenterEvent(el);
            } catch (error) {
              this.stats.errors++;
              this.#log.error(
                'skipping an event vCenter returned without class, key or time',
                describeError(error),
              );
              continue;
            }
            if (position && !isKeyAfter(event.key, position.lastEventKey)) {
              if (isHistoryReset(event, position)) {
                // Keys went back while time moved on: this vCenter's event history restarted under the same
                // instanceUuid (a re-created simulator, a restored appliance). Publishing beats skipping.
                this.stats.historyResets++;
                this.#log.warn(
                  'vCenter event keys restarted under the same instanceUuid; publishing the new history',
                  {
                    lastEventKey: position.lastEventKey,
                    eventKey: event.key,
                  },
                );
                position = undefined;
              } else {
                this.stats.skippedReplay++;
                continue;
              }
            }
            const records = await this.#toRecords(event, ctx);
            const next: Checkpoint = {
              instanceUuid,
              lastEventKey: event.key,
              lastCreatedTime: event.createdTime,
            };
            const createdMs = Date.parse(event.createdTime);
            await this.#queue.push(
              { position: next, createdMs: Number.isNaN(createdMs) ? Date.now() : createdMs, records },
              signal,
            );
            position = next;
            this.stats.read++;
          }
          this.refreshGauges();
        }
      } catch (error) {
        if (signal.aborted) break;
        this.stats.vcenterConnected = false;
        collector = undefined;
        if (isBridgeError(error, 'BRIDGE_NOT_AUTHENTICATED')) {
          this.#log.info('vCenter session expired; logging in again');
        } else if (error instanceof SoapFaultError && error.faultType === 'ManagedObjectNotFound') {
          this.#log.warn('event collector lost; recreating it from the last read position', {
            lastEventKey: position?.lastEventKey,
          });
        } else if (
          isBridgeError(error, 'BRIDGE_CHECKPOINT') &&
          !(error as { retriable?: boolean }).retriable
        ) {
          throw error;
        } else {
          this.stats.errors++;
          this.#log.warn('vCenter call failed; retrying', { ...describeError(error), attempt });
        }
        try {
          await sleep(
            isBridgeError(error, 'BRIDGE_NOT_AUTHENTICATED') && attempt === 0
              ? 0
              : backoff(attempt, 250, 10_000),
            signal,
          );
        } catch {
          break;
        }
        attempt++;
      }
    }
    if (collector) await this.#client.destroyCollector(collector);
  }

  async #toRecords(event: VcenterEvent, ctx: MappingContext): Promise<SinkRecord[]> {
    this.#memory.observe(event);
    const classification = classify(event);
    if (classification !== undefined) {
      const mapped = mapEvent(event, ctx, await this.#factsFor(event, classification));
      if (mapped.kind === 'canonical') {
        const records: SinkRecord[] = [];
        for (const { event: canonical, degraded } of mapped.events) {
          const check = validateVmOperationEvent(canonical);
          if (!check.valid) {
            // Never drop: an event the schema refuses goes to the raw topic, counted and logged.
            this.stats.invalid++;
            this.stats.errors++;
            this.#log.error('mapped event failed schema validation; publishing it to the raw topic', {
              eventKey: event.key,
              eventType: event.eventClass,
              issues: check.issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
            });
            return [{ kind: 'raw', key: classification.vm.moref, event: toRawCloudEvent(event, ctx) }];
          }
          if (degraded !== undefined) {
            this.stats.degraded++;
            this.#log.warn('published a degraded event', {
              eventKey: event.key,
              eventType: event.eventClass,
              reason: degraded,
            });
          }
          records.push({ kind: 'canonical', event: canonical });
        }
        return records;
      }
    }
    if (this.#deps.config.unmapped === 'ignore') {
      this.stats.ignored++;
      return [];
    }
    return [{ kind: 'raw', key: event.vm?.moref ?? ctx.instanceUuid, event: toRawCloudEvent(event, ctx) }];
  }

  /** Gather what mapping `event` needs beyond the event (docs/bridge.md, "What the bridge asks vCenter"). */
  async #factsFor(event: VcenterEvent, classification: Classification): Promise<MappingFacts> {
    const needed = factsNeeded(event, classification);
    const vm = classification.vm.moref;
    const vmFacts = await this.#vmFacts(vm, needed.vm === 'hardware');
    let facts: MappingFacts = { ...(vmFacts ? { vm: vmFacts } : {}) };
    if (needed.task) {
      const task = this.#memory.taskOf(event, vm);
      if (task !== undefined) facts = { ...facts, task };
    }
    if (classification.operation === 'create') {
      const source = this.#memory.cloneSourceOf(classification.vm.name);
      if (source !== undefined) facts = { ...facts, cloneSource: source };
    }
    if (needed.cloneTarget !== undefined) {
      const target = { type: 'VirtualMachine', value: needed.cloneTarget };
      this.#memory.cloneDone(event.vm?.name);
      const createdSeparately = await this.#client.hasEventAbout(target, ['VmCreatedEvent']);
      const targetFacts = createdSeparately ? undefined : await this.#vmFacts(needed.cloneTarget, true);
      facts = { ...facts, cloneTarget: { vm: targetFacts, createdSeparately } };
    }
    // What this event changes or ends for its VM, for the events after it.
    if (event.uuidChange?.new !== undefined || event.instanceUuidChange?.new !== undefined) {
      const known = vmFacts ?? this.#memory.identityOf(vm);
      this.#memory.rememberIdentity(vm, {
        hardware: undefined,
        instanceUuid: event.instanceUuidChange?.new ?? known?.instanceUuid,
        biosUuid: event.uuidChange?.new ?? known?.biosUuid,
      });
    }
    if (classification.operation === 'delete') this.#memory.forget(vm);
    return facts;
  }

  /** A VM's UUIDs (remembered, else read) and, when asked, its hardware (always read: it changes). */
  async #vmFacts(vm: string, hardware: boolean): Promise<MappingFacts['vm']> {
    const known = this.#memory.identityOf(vm);
    if (known !== undefined && !hardware) return known;
    const read = await this.#client.vmProperties({ type: 'VirtualMachine', value: vm }, { hardware });
    if (read !== undefined) this.#memory.rememberIdentity(vm, read);
    return read ?? known;
  }

  async #publish(signal: AbortSignal): Promise<void> {
    const { config, sink, store } = this.#deps;
    while (!signal.aborted) {
      let items: WorkItem[];
      try {
        items = await this.#queue.take(config.batchSize, signal);
      } catch {
        return;
      }
      this.#inFlight = items;
      const records = items.flatMap((i) => i.records);
      for (let attempt = 0; ; attempt++) {
        try {
          await sink.publish(records);
          if (!this.stats.kafkaConnected && attempt > 0) this.#log.info('Kafka acknowledges again');
          this.stats.kafkaConnected = true;
          break;
        } catch (error) {
          this.stats.errors++;
          this.stats.kafkaConnected = false;
          this.#log.warn(
            'Kafka send failed; holding the batch and retrying (vCenter reads pause when the buffer is full)',
            {
              ...describeError(error),
              attempt,
              batch: records.length,
            },
          );
          try {
            await sleep(backoff(attempt, 200, 5000), signal);
          } catch {
            return; // shutting down: not acknowledged, so not checkpointed; the next start replays it
          }
        }
      }
      for (const r of records) {
        if (r.kind === 'canonical') this.stats.published++;
        else this.stats.publishedRaw++;
      }
      const last = items[items.length - 1]!;
      for (let attempt = 0; ; attempt++) {
        try {
          await store.save(this.target.url, last.position);
          break;
        } catch (error) {
          this.stats.errors++;
          this.#log.error('cannot write the checkpoint; retrying', { ...describeError(error), attempt });
          try {
            await sleep(backoff(attempt, 200, 5000), signal);
          } catch {
            return;
          }
        }
      }
      this.stats.lastPublishedKey = last.position.lastEventKey;
      this.#inFlight = [];
      this.refreshGauges();
    }
  }
}
