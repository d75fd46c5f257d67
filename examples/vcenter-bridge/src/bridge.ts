/**
 * The bridge: one worker per vCenter, one Kafka sink, one health endpoint.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileCheckpointStore } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint.js';
import type { BridgeConfig } from './config.js';
import { BridgeError } from './errors.js';
import { describeError, silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { createKafkaSink } from './sink.js';
import type { EventSink } from './sink.js';
import { VcenterWorker } from './worker.js';
import type { WorkerStats } from './worker.js';

/** Optional collaborators (tests and embedders replace them). */
export interface BridgeDeps {
  readonly logger?: Logger;
  readonly sink?: EventSink;
  readonly store?: CheckpointStore;
}

/** A running bridge. */
export interface Bridge {
  /** Start reading; resolves once the health endpoint listens. Idempotent. */
  start(): Promise<void>;
  /** Stop reading, publish what was read, checkpoint, close. Idempotent. */
  stop(): Promise<void>;
  /** Counters and gauges per vCenter URL. */
  stats(): Record<string, WorkerStats>;
  /** The health endpoint's URL (after start). */
  readonly healthUrl: string | undefined;
  /** Resolves when the bridge stops (rejects when a worker failed for good). */
  readonly done: Promise<void>;
}

const METRICS: Array<[keyof WorkerStats, 'counter' | 'gauge', string]> = [
  ['read', 'counter', 'vCenter events read'],
  ['published', 'counter', 'canonical events acknowledged by Kafka'],
  ['publishedRaw', 'counter', 'raw CloudEvents acknowledged by Kafka'],
  ['ignored', 'counter', 'unmapped events ignored by configuration'],
  ['skippedReplay', 'counter', 'events skipped on resume (already published)'],
  ['historyResets', 'counter', 'event key restarts under the same instanceUuid (history reset)'],
  ['degraded', 'counter', 'events published as update because the VM hardware could not be read'],
  ['invalid', 'counter', 'mapped events refused by the schema (sent to the raw topic)'],
  ['errors', 'counter', 'errors (vCenter, Kafka, checkpoint)'],
  ['pending', 'gauge', 'events read but not yet acknowledged'],
  ['lagSeconds', 'gauge', 'seconds between now and the oldest unacknowledged event'],
  ['vcenterConnected', 'gauge', '1 when the vCenter session is up'],
  ['kafkaConnected', 'gauge', '1 when the last Kafka send succeeded'],
];

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Prometheus text exposition of the workers' stats. */
export function renderMetrics(stats: Record<string, WorkerStats>): string {
  const lines: string[] = [];
  for (const [field, type, help] of METRICS) {
    const name = `vcenter_bridge_${snake(field)}${type === 'counter' ? '_total' : ''}`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [vcenter, s] of Object.entries(stats)) {
      const v = s[field];
      lines.push(
        `${name}{vcenter="${vcenter.replace(/["\\\n]/g, '_')}"} ${typeof v === 'boolean' ? (v ? 1 : 0) : Number(v ?? 0)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Create a bridge from a parsed configuration. */
export function createBridge(config: BridgeConfig, deps: BridgeDeps = {}): Bridge {
  const logger = deps.logger ?? silentLogger;
  const sink =
    deps.sink ??
    createKafkaSink({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      topic: config.topic,
      rawTopic: config.rawTopic,
      logger,
    });
  const store = deps.store ?? new FileCheckpointStore(config.checkpointDir);
  const workers = config.vcenters.map((target) => new VcenterWorker(target, { config, sink, store, logger }));
  const controller = new AbortController();
  let server: http.Server | undefined;
  let healthUrl: string | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => undefined);

  const stats = (): Record<string, WorkerStats> => {
    const out: Record<string, WorkerStats> = {};
    for (const w of workers) {
      w.refreshGauges();
      out[w.target.url] = { ...w.stats };
    }
    return out;
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(stats()));
      return;
    }
    if (url === '/healthz' || url === '/health' || url === '/') {
      const s = stats();
      const healthy = Object.values(s).every(
        (w) => w.vcenterConnected && (w.kafkaConnected || w.pending === 0),
      );
      res
        .writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: healthy ? 'ok' : 'degraded', vcenters: s }));
      return;
    }
    res.writeHead(404).end();
  };

  let runs: Promise<void>[] = [];
  return {
    get healthUrl() {
      return healthUrl;
    },
    done,
    stats,
    start() {
      starting ??= (async () => {
        if (stopping) throw new BridgeError('BRIDGE_CLOSED', 'the bridge was stopped');
        server = http.createServer(handle);
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(config.health.port, config.health.host, () => resolve());
        });
        const address = server.address() as AddressInfo;
        healthUrl = `http://${config.health.host}:${address.port}/healthz`;
        // Kafka may be down at start: the publisher retries, and reads pause when the buffer fills.
        await sink
          .connect()
          .catch((error) => logger.warn('Kafka is not reachable yet; will retry', describeError(error)));
        runs = workers.map((w) =>
          w.run(controller.signal).catch((error) => {
            logger.error('vCenter worker stopped for good', {
              vcenter: w.target.url,
              ...describeError(error),
            });
            throw error;
          }),
        );
        Promise.all(runs).then(
          () => resolveDone(),
          (error) => rejectDone(error),
        );
        logger.info('bridge started', {
          vcenters: workers.map((w) => w.target.url),
          health: healthUrl,
          topic: config.topic,
        });
      })();
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        controller.abort(new Error('bridge stopping'));
        await starting?.catch(() => undefined);
        await Promise.allSettled(runs);
        await sink.disconnect().catch(() => undefined);
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        resolveDone();
        logger.info('bridge stopped');
      })();
      return stopping;
    },
  };
}
