/**
 * Producer benchmark: the SDK against raw kafkajs sending the same payloads with the same settings, side by side on
 * the same broker, plus the Java client's ProducerPerformance (the ceiling on this machine); and a broker-free
 * micro-benchmark of the SDK's own CPU cost per event.
 *
 *   pnpm exec tsx bench/producer.ts          full run (needs the broker: KAFKA_BROKERS, default 127.0.0.1:9092)
 *   pnpm exec tsx bench/producer.ts micro    only the broker-free micro-benchmark (prints, writes nothing)
 *   BENCH_EVENTS=2000 BENCH_ROUNDS=2 BENCH_JAVA=0 pnpm exec tsx bench/producer.ts   quick check (~30 s)
 *
 * Knobs: BENCH_EVENTS (events per run, default 20000), BENCH_ROUNDS (A/B rounds, default 15), BENCH_WARMUPS (unmeasured
 * runs before the measured one in each process, default 1), BENCH_LATENCY_WARMUPS (unmeasured passes before the latency
 * pass, default 5), BENCH_JAVA=0 (skip ProducerPerformance), BENCH_WRITE=0
 * (print, do not write docs/benchmarks.md; a run with fewer events than the default never writes).
 *
 * Like with like. Both Node sides use one kafkajs client configured the same way: idempotent, acks=all, one request
 * in flight, allowAutoTopicCreation false, the Java-compatible partitioner, no compression, the same retry and
 * timeouts, no kafkajs logging. kafkajs has no linger, so the SDK runs with `lingerMs: 0` (send what is queued as
 * soon as the previous send is done) and the raw side does the same by hand:
 *   - `publish` (one call per event, up to WINDOW outstanding) vs a hand-written send-when-idle queue: events go into
 *     a queue; whenever no send is in flight everything queued (up to BATCH_BYTES, counted with the SDK's size
 *     formula) goes out in one sendBatch; the same WINDOW of outstanding events.
 *   - `publishBatch` of CHUNK events, one call at a time vs sendBatch of the same CHUNK events, one at a time.
 *   - latency: one event awaited before the next, `publish` vs `send`.
 * Raw kafkajs does by hand what a service would do without the SDK: fill in event id / timestamp / correlation id,
 * JSON.stringify, write the contract headers, key by VM id. The SDK additionally validates every event against the
 * schema, checks keys and headers, checks record sizes, and returns one result per event.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import type { Message, PartitionMetadata, Producer, ProducerConfig, RecordMetadata } from 'kafkajs';
import { encodeVmOperationEvent, recordSize } from '@org/vmware-events-schema';
import { createProducer, partitionForKey } from '@org/vmware-events-producer';
import type { ProducerOptions, VmOperationEventInput } from '@org/vmware-events-producer';
import { median, percentile, writeReportSection } from './lib/report.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const KAFKA_SH = fileURLToPath(new URL('../scripts/kafka.sh', import.meta.url));
const DEFAULT_N = 20_000;
const N = Number(process.env.BENCH_EVENTS ?? process.env.BENCH_PRODUCER_EVENTS ?? DEFAULT_N);
// 15 A/B rounds: on a 2-core machine shared with the broker one round's ratio moves by ±20 %, so fewer rounds say little.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? process.env.BENCH_PRODUCER_ROUNDS ?? 15);
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 1);
const JAVA = process.env.BENCH_JAVA !== '0';
const WRITE = process.env.BENCH_WRITE !== '0' && N >= DEFAULT_N;
const LATENCY_N = Math.min(1_000, N);
/** Events per side in a row in the latency comparison (see latencyPair). */
const LATENCY_BLOCK = 50;
/** Latency rounds, each in a fresh process. */
const LATENCY_ROUNDS = 7;
/**
 * Unmeasured passes over the latency events before the measured one. One event at a time gives V8 few calls per
 * second, and it optimizes a large function (the schema validators) only after 1,000–3,000 calls: with a single pass
 * the measured events ran partly in the interpreter (seen with --trace-opt), which is not how a service that has been
 * publishing for a while runs. Five passes of 1,000 events get both sides past that.
 */
const LATENCY_WARMUPS = Number(process.env.BENCH_LATENCY_WARMUPS ?? 5);
const PARTITIONS = 6;
const BATCH_BYTES = 512 * 1024;
/** Events per publishBatch / sendBatch call in the batch comparison. */
const CHUNK = 500;
/** Events a service keeps outstanding in the one-call-per-event comparison (about three batches). */
const WINDOW = 2048;
const SOURCE = 'urn:vmware-events:bench';
/** Settings both Node sides share (the SDK's defaults, written out for raw kafkajs). */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 3_000;
const RETRY = { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 };
const run = promisify(execFile);

const OPERATIONS = ['power_on', 'power_off', 'update', 'migrate', 'rename'] as const;
function inputs(count: number): VmOperationEventInput[] {
  return Array.from({ length: count }, (_, i) => ({
    operationInfo: {
      operation: OPERATIONS[i % OPERATIONS.length]!,
      vmId: `vm-${i % 500}`,
      vmName: `web-${i % 500}.prod.example.com`,
      username: 'svc-provisioner@example.com',
      environment: 'prod',
      tenantId: 'tenantA',
      notes: `change request CR-${100_000 + i}`,
    },
    vmData: { cpu: 4, memoryMB: 8192 },
  }));
}

/** What a hand-written producer builds for one event: the same JSON, key and headers the SDK writes. */
function rawMessage(input: VmOperationEventInput): Message & { key: string; value: string } {
  const eventId = randomUUID();
  const info = input.operationInfo;
  const timestamp = new Date().toISOString();
  const event = {
    ...input,
    schemaVersion: '1.0',
    eventId,
    source: SOURCE,
    correlationId: eventId,
    operationInfo: { ...info, timestamp },
  };
  return {
    key: info.vmId,
    value: JSON.stringify(event),
    headers: {
      env: info.environment,
      tenant: info.tenantId,
      operationType: info.operation,
      contentVersion: '1.0',
      correlationId: eventId,
      eventId,
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: eventId,
      ce_source: SOURCE,
      ce_type: `com.vmware.events.vm.${info.operation}.v1`,
      ce_time: timestamp,
      ce_subject: info.vmId,
    },
  };
}

/** The SDK's batch-size accounting (the record codec's `recordSize`), so both sides fill batches alike. */
function rawRecordBytes(message: Message & { key: string; value: string }): number {
  return recordSize(message as { key: string; value: string; headers: Record<string, string> });
}

/**
 * Like with like: the hand-built record of an event is the record codec's for the same event (same key, JSON and
 * headers, in the same order), so the raw side sends what the SDK sends. Checked once before measuring.
 */
function assertRawMatchesCodec(input: VmOperationEventInput): void {
  const raw = rawMessage(input);
  const event = JSON.parse(raw.value) as VmOperationEventInput;
  const codec = encodeVmOperationEvent(event, { source: SOURCE });
  const same =
    codec.key === raw.key &&
    codec.value === raw.value &&
    JSON.stringify(Object.entries(codec.headers)) === JSON.stringify(Object.entries(raw.headers ?? {}));
  if (!same)
    throw new Error(`the raw side's record differs from the codec's: ${JSON.stringify({ raw, codec })}`);
}

const kafka = new Kafka({
  clientId: 'bench-producer',
  brokers: BROKERS,
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  retry: RETRY,
  logLevel: logLevel.NOTHING,
});
const javaCompatible = () => (args: { partitionMetadata: unknown[]; message: Message }) =>
  args.message.partition ?? partitionForKey(String(args.message.key), args.partitionMetadata.length);

function rawProducer(): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatible,
    retry: RETRY,
  });
}

function rawSendBatch(producer: Producer, topic: string, messages: Message[]): Promise<RecordMetadata[]> {
  return producer.sendBatch({
    acks: -1,
    timeout: REQUEST_TIMEOUT_MS,
    compression: CompressionTypes.None,
    topicMessages: [{ topic, messages }],
  });
}

function sdkOptions(topic: string): ProducerOptions {
  return {
    brokers: BROKERS,
    clientId: 'bench-producer',
    source: SOURCE,
    topic: { name: topic },
    batchSizeBytes: BATCH_BYTES,
    lingerMs: 0,
    kafkaLogLevel: 'nothing',
  };
}

interface Result {
  perSecond: number;
  p50?: number;
  p99?: number;
  /** CPU time of the whole process (every thread: JavaScript, GC helpers, libuv) per event, in µs. */
  cpuUs?: number;
}

function result(count: number, elapsed: number, latencies: number[]): Result {
  return {
    perSecond: (count / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** A waiter for "outstanding dropped below half the window", shared by both one-per-event drivers. */
class Window {
  outstanding = 0;
  private wake: (() => void) | undefined;
  done(count: number): void {
    this.outstanding -= count;
    if (this.wake && (this.outstanding < WINDOW / 2 || this.outstanding === 0)) {
      const w = this.wake;
      this.wake = undefined;
      w();
    }
  }
  wait(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }
}

/** SDK: one publish() per event, as fast as possible, at most WINDOW outstanding. */
async function sdkPublish(topic: string, events: VmOperationEventInput[]): Promise<Result> {
  const producer = createProducer(sdkOptions(topic));
  await producer.connect();
  await producer.publish(events[0]!); // topic metadata
  const latencies = new Array<number>(events.length);
  const window = new Window();
  const started = performance.now();
  for (let i = 0; i < events.length; i++) {
    const t0 = performance.now();
    window.outstanding++;
    void producer.publish(events[i]!).then(() => {
      latencies[i] = performance.now() - t0;
      window.done(1);
    });
    if (window.outstanding >= WINDOW) await window.wait();
  }
  while (window.outstanding > 0) await window.wait();
  const elapsed = performance.now() - started;
  await producer.disconnect();
  return result(events.length, elapsed, latencies);
}

/** Raw: the hand-written equivalent of publish() with lingerMs 0: a send-when-idle queue, same window. */
async function rawQueue(topic: string, events: VmOperationEventInput[]): Promise<Result> {
  const producer = rawProducer();
  await producer.connect();
  await rawSendBatch(producer, topic, [rawMessage(events[0]!)]);
  const latencies = new Array<number>(events.length);
  const window = new Window();
  const queue: Array<{ message: Message; bytes: number; index: number; t0: number }> = [];
  let head = 0;
  let sending = false;
  const pump = async () => {
    sending = true;
    while (head < queue.length) {
      const batch: Message[] = [];
      const from = head;
      let bytes = 0;
      while (head < queue.length && (batch.length === 0 || bytes + queue[head]!.bytes <= BATCH_BYTES)) {
        bytes += queue[head]!.bytes;
        batch.push(queue[head++]!.message);
      }
      await rawSendBatch(producer, topic, batch);
      const now = performance.now();
      for (let k = from; k < head; k++) latencies[queue[k]!.index] = now - queue[k]!.t0;
      // Let go of what was sent (as the SDK does), so that the garbage collector does not keep copying it.
      queue.splice(0, head);
      head = 0;
      window.done(batch.length);
    }
    sending = false;
  };
  const started = performance.now();
  for (let i = 0; i < events.length; i++) {
    const t0 = performance.now();
    const message = rawMessage(events[i]!);
    queue.push({ message, bytes: rawRecordBytes(message), index: i, t0 });
    window.outstanding++;
    if (!sending) void pump();
    if (window.outstanding >= WINDOW) await window.wait();
  }
  while (window.outstanding > 0) await window.wait();
  const elapsed = performance.now() - started;
  await producer.disconnect();
  return result(events.length, elapsed, latencies);
}

/** SDK: publishBatch of CHUNK events, one call at a time. */
async function sdkBatch(topic: string, events: VmOperationEventInput[]): Promise<Result> {
  const producer = createProducer(sdkOptions(topic));
  await producer.connect();
  await producer.publish(events[0]!);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < events.length; i += CHUNK) {
    const t0 = performance.now();
    const chunk = events.slice(i, i + CHUNK);
    await producer.publishBatch(chunk);
    const t = performance.now() - t0;
    for (let k = 0; k < chunk.length; k++) latencies.push(t);
  }
  const elapsed = performance.now() - started;
  await producer.disconnect();
  return result(events.length, elapsed, latencies);
}

/** Raw: sendBatch of the same CHUNK events, built by hand, one call at a time. */
async function rawBatch(topic: string, events: VmOperationEventInput[]): Promise<Result> {
  const producer = rawProducer();
  await producer.connect();
  await rawSendBatch(producer, topic, [rawMessage(events[0]!)]);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < events.length; i += CHUNK) {
    const t0 = performance.now();
    const end = Math.min(events.length, i + CHUNK);
    const messages: Message[] = [];
    for (let k = i; k < end; k++) messages.push(rawMessage(events[k]!));
    await rawSendBatch(producer, topic, messages);
    const t = performance.now() - t0;
    for (let k = i; k < end; k++) latencies.push(t);
  }
  const elapsed = performance.now() - started;
  await producer.disconnect();
  return result(events.length, elapsed, latencies);
}

/** Latencies of one side: end to end, and its own share (before the kafkajs sendBatch call and after it resolved). */
interface LatencySide {
  total: number[];
  own: number[];
}

/**
 * Wraps `sendBatch` of every kafkajs producer created from now on (SDK and raw alike) to note when it was called and
 * when it resolved, so that a publish's time splits into the broker's round trip and the producer's own work. The
 * producers are listed in `created`, in order of creation.
 */
function timeSendBatch(): { calledAt: number; resolvedAt: number; created: Producer[] } {
  const marks = { calledAt: 0, resolvedAt: 0, created: [] as Producer[] };
  const proto = Kafka.prototype as unknown as { producer: (config?: ProducerConfig) => Producer };
  const create = proto.producer;
  proto.producer = function (this: Kafka, config?: ProducerConfig) {
    const producer = create.call(this, config);
    marks.created.push(producer);
    const sendBatch = producer.sendBatch.bind(producer);
    producer.sendBatch = (batch) => {
      marks.calledAt = performance.now();
      return sendBatch(batch).then((metadata) => {
        marks.resolvedAt = performance.now();
        return metadata;
      });
    };
    return producer;
  };
  return marks;
}

/**
 * One event at a time, each awaited: the cost of one publish end to end. Both sides run in the same process on the
 * same topic, in alternating blocks of LATENCY_BLOCK events (order swapped every block), so that they see the same
 * machine state, and on the same connection: the raw side calls `sendBatch` of the kafkajs producer the SDK created
 * (configured as rawProducer() is), because most of a single event's time is the broker's round trip, which differs
 * from connection to connection by more than the SDK's share. Each side's own share (up to the kafkajs call, and after
 * its answer) is measured apart.
 */
async function latencyPair(
  topic: string,
  events: VmOperationEventInput[],
): Promise<{ sdk: LatencySide; raw: LatencySide }> {
  const marks = timeSendBatch();
  const sdk = createProducer(sdkOptions(topic));
  await sdk.connect();
  const [raw] = marks.created;
  if (raw === undefined || marks.created.length !== 1) {
    throw new Error(`expected the SDK to create one kafkajs producer, saw ${marks.created.length}`);
  }
  const send = {
    sdk: (event: VmOperationEventInput) => sdk.publish(event),
    raw: (event: VmOperationEventInput) => rawSendBatch(raw, topic, [rawMessage(event)]),
  };
  const out = { sdk: { total: [], own: [] } as LatencySide, raw: { total: [], own: [] } as LatencySide };
  // LATENCY_WARMUPS unmeasured passes first: a service that publishes is past its first calls, and V8 has optimized
  // what they run.
  for (let pass = 0; pass <= LATENCY_WARMUPS; pass++) {
    for (let from = 0; from < events.length; from += LATENCY_BLOCK) {
      const order = (from / LATENCY_BLOCK) % 2 === 0 ? (['sdk', 'raw'] as const) : (['raw', 'sdk'] as const);
      for (const side of order) {
        for (let i = from; i < Math.min(from + LATENCY_BLOCK, events.length); i++) {
          const t0 = performance.now();
          await send[side](events[i]!);
          const t1 = performance.now();
          if (pass < LATENCY_WARMUPS) continue;
          out[side].total.push(t1 - t0);
          out[side].own.push(marks.calledAt - t0 + (t1 - marks.resolvedAt));
        }
      }
    }
  }
  await sdk.disconnect();
  return out;
}

// --- broker-free micro-benchmark ------------------------------------------------------------------------------

interface Encoder {
  buffer: Buffer;
}
type RecordEncoder = (record: { key: unknown; value: unknown; headers?: unknown }) => Encoder;

function loadRecordEncoder(): RecordEncoder {
  const require = createRequire(import.meta.url);
  return require('kafkajs/src/protocol/recordBatch/record/v0') as RecordEncoder;
}

const scratch = Buffer.allocUnsafe(4 * 1024 * 1024);

/** Writes one value the way kafkajs's encoder does: a Buffer is copied, anything else measured and written as UTF-8. */
function writeBytes(value: unknown, at: number): number {
  if (Buffer.isBuffer(value)) return value.copy(scratch, at);
  const text = String(value);
  const n = Buffer.byteLength(text, 'utf8');
  scratch.write(text, at, n, 'utf8');
  return n;
}

/**
 * The bytes kafkajs writes for a record's key, value and headers, so that turning strings into bytes counts once
 * whichever side does it (the SDK encodes the value and repeated header values ahead; raw code passes strings).
 */
function writeLikeKafkajs(message: Message): void {
  let at = writeBytes(message.key, 0);
  at += writeBytes(message.value, at);
  const headers = (message.headers ?? {}) as Record<string, unknown>;
  for (const name in headers) {
    at += writeBytes(name, at);
    at += writeBytes(headers[name], at);
  }
}

/**
 * Replaces the network side of kafkajs with a fake: `sendBatch` runs the partitioner on every message, writes its
 * bytes the way kafkajs does (copy a Buffer, write a string as UTF-8) and resolves at once with offsets;
 * `describeConfigs` answers the default max.message.bytes. Everything the SDK does up to the kafkajs call runs
 * unchanged; the rest of kafkajs's per-record encoding is the same for both sides and is measured separately.
 */
function installFakeKafka(): void {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  const proto = Kafka.prototype as unknown as Record<string, unknown>;
  proto.producer = (config: ProducerConfig = {}) => {
    const partitioner = config.createPartitioner?.();
    let offset = 0;
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      sendBatch: ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Message[] }> }) => {
        const out: RecordMetadata[] = [];
        for (const { topic, messages } of topicMessages) {
          for (const message of messages) {
            partitioner?.({ topic, partitionMetadata, message });
            writeLikeKafkajs(message);
          }
          out.push({ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(offset) });
          offset += messages.length;
        }
        return Promise.resolve(out);
      },
    };
  };
  proto.admin = () => ({
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    describeConfigs: () =>
      Promise.resolve({
        resources: [
          {
            errorCode: 0,
            configEntries: [{ configName: 'max.message.bytes', configValue: '1048588' }],
          },
        ],
      }),
  });
}

const MICRO_EVENTS = 5_000;
const MICRO_ROUNDS = 25;

/** ns of CPU per event of one driver against the fake kafkajs (setup included; it is negligible here). */
async function microNs(
  fn: (t: string, e: VmOperationEventInput[]) => Promise<Result>,
  events: VmOperationEventInput[],
): Promise<number> {
  // CPU time of this process (not wall time): on a shared machine, time spent descheduled does not count.
  const before = process.cpuUsage();
  await fn('bench-micro', events);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / events.length;
}

/** ns per record of kafkajs's own record encoding (what both sides pay after the SDK's work). */
function encodeNs(events: VmOperationEventInput[]): number {
  const encodeRecord = loadRecordEncoder();
  const messages = events.map(rawMessage);
  let sink = 0;
  const t0 = performance.now();
  for (const m of messages)
    sink += encodeRecord({ key: m.key, value: m.value, headers: m.headers }).buffer.length;
  const ns = ((performance.now() - t0) * 1e6) / messages.length;
  if (sink <= 0) throw new Error('nothing encoded');
  return ns;
}

interface MicroRow {
  name: string;
  sdk: number[];
  raw: number[];
}

interface MicroResult {
  rows: MicroRow[];
  encode: number[];
}

/** Interleaved A/B rounds of the same drivers as the broker runs, against the fake kafkajs, in one process. */
async function micro(): Promise<MicroResult> {
  installFakeKafka();
  const events = inputs(MICRO_EVENTS);
  for (const input of events.slice(0, OPERATIONS.length)) assertRawMatchesCodec(input);
  const pairs: Array<[string, typeof sdkPublish, typeof rawQueue]> = [
    ['`publish` vs send-when-idle queue', sdkPublish, rawQueue],
    ['`publishBatch` vs `sendBatch` (same chunks)', sdkBatch, rawBatch],
  ];
  const rows: MicroRow[] = pairs.map(([name]) => ({ name, sdk: [], raw: [] }));
  const encode: number[] = [];
  for (let w = 0; w < 5; w++) {
    for (const [, sdkFn, rawFn] of pairs) {
      await sdkFn('bench-micro', events);
      await rawFn('bench-micro', events);
    }
    encodeNs(events);
  }
  for (let round = 0; round < MICRO_ROUNDS; round++) {
    for (let p = 0; p < pairs.length; p++) {
      const [, sdkFn, rawFn] = pairs[p]!;
      const row = rows[p]!;
      if (round % 2 === 0) {
        row.sdk.push(await microNs(sdkFn, events));
        row.raw.push(await microNs(rawFn, events));
      } else {
        row.raw.push(await microNs(rawFn, events));
        row.sdk.push(await microNs(sdkFn, events));
      }
    }
    encode.push(encodeNs(events));
  }
  return { rows, encode };
}

function microTable({ rows, encode }: MicroResult): string {
  const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
  const range = (v: number[]) => `${us(Math.min(...v))}–${us(Math.max(...v))}`;
  const lines = rows.map((r) => {
    const diffs = r.sdk.map((s, i) => s - r.raw[i]!);
    const best = Math.min(...r.sdk) - Math.min(...r.raw);
    return `| ${r.name} | ${us(median(r.raw))} (${range(r.raw)}) | ${us(median(r.sdk))} (${range(r.sdk)}) | **${us(median(diffs))}** | **${us(best)}** |`;
  });
  return [
    '| path, up to the kafkajs call | raw kafkajs by hand: median (range) | SDK: median (range) | SDK adds per event: median of paired rounds | SDK adds: fastest SDK round − fastest raw round |',
    '|---|---|---|---|---|',
    ...lines,
    '',
    `For scale: kafkajs's own encoding of one such record (its \`Record\` encoder, which both sides pay after this path) takes ${us(median(encode))} (${range(encode)}).`,
  ].join('\n');
}

// --- Java ceiling ---------------------------------------------------------------------------------------------

async function javaPerf(topic: string, recordSize: number): Promise<Result & { line: string }> {
  const { stdout } = await run(
    'bash',
    [
      KAFKA_SH,
      'perf-producer',
      '--topic',
      topic,
      '--num-records',
      String(N * 3),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${BROKERS.join(',')}`,
      'acks=all',
      'enable.idempotence=true',
      'linger.ms=5',
      `batch.size=${BATCH_BYTES}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stdout.trim().split('\n').at(-1)!;
  const m =
    /([\d.]+) records\/sec.*?([\d.]+) ms avg latency.*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      line,
    );
  if (!m) throw new Error(`cannot read ProducerPerformance output: ${line}`);
  return { perSecond: Number(m[1]), p50: Number(m[3]), p99: Number(m[5]), line };
}

// --- orchestration --------------------------------------------------------------------------------------------

type Mode = 'sdk' | 'raw-queue' | 'sdk-batch' | 'raw-batch' | 'latency' | 'micro';

/** Runs one measurement in a fresh process, so that neither side inherits the other's heap or JIT state. */
async function inWorker<T>(mode: Mode, topic: string): Promise<T> {
  const { stdout } = await run(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), 'worker', mode, topic],
    { maxBuffer: 64 * 1024 * 1024, env: process.env },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

const THROUGHPUT: Record<string, (t: string, e: VmOperationEventInput[]) => Promise<Result>> = {
  sdk: sdkPublish,
  'raw-queue': rawQueue,
  'sdk-batch': sdkBatch,
  'raw-batch': rawBatch,
};

async function worker(mode: string, topic: string): Promise<void> {
  const events = inputs(N);
  let out: unknown;
  const fn = THROUGHPUT[mode];
  if (fn) {
    // JIT warm-up on the same topic, not measured.
    for (let w = 0; w < WARMUPS; w++) await fn(topic, events);
    const cpu = process.cpuUsage();
    const measured = await fn(topic, events);
    const used = process.cpuUsage(cpu);
    out = { ...measured, cpuUs: (used.user + used.system) / events.length };
  } else if (mode === 'latency') {
    out = await latencyPair(topic, events.slice(0, LATENCY_N));
  } else if (mode === 'micro') out = await micro();
  else throw new Error(`unknown worker mode ${mode}`);
  console.log(JSON.stringify(out));
}

interface Pair {
  sdk: Result[];
  raw: Result[];
}

/** Median, middle half and range of per-round overheads (in %). */
function spreadOf(values: number[]) {
  return {
    median: median(values),
    p25: percentile(values, 25),
    p75: percentile(values, 75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

function pairStats(p: Pair) {
  return {
    sdk: median(p.sdk.map((r) => r.perSecond)),
    raw: median(p.raw.map((r) => r.perSecond)),
    overhead: spreadOf(p.sdk.map((s, i) => (1 - s.perSecond / p.raw[i]!.perSecond) * 100)),
    sdkCpu: median(p.sdk.map((r) => r.cpuUs!)),
    rawCpu: median(p.raw.map((r) => r.cpuUs!)),
    cpuOverhead: spreadOf(p.sdk.map((s, i) => (s.cpuUs! / p.raw[i]!.cpuUs! - 1) * 100)),
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'micro') {
    console.log(microTable(await inWorker<MicroResult>('micro', '-')));
    return;
  }
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  const newTopic = async () => {
    const topic = `bench-producer-${randomUUID()}`;
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    topics.push(topic);
    return topic;
  };
  try {
    const events = inputs(N);
    for (const input of events.slice(0, OPERATIONS.length)) assertRawMatchesCodec(input);
    const one: Pair = { sdk: [], raw: [] };
    const batch: Pair = { sdk: [], raw: [] };
    const java: Array<Result & { line: string }> = [];
    const recordSize = Math.round(
      events.slice(0, 200).reduce((sum, e) => sum + rawMessage(e).value.length, 0) / 200,
    );
    const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} k/s` : `${Math.round(n)}/s`);
    for (let round = 0; round < ROUNDS; round++) {
      // A/B pairs, each run in a fresh process after its own warm-up; the order alternates every round.
      const ab = async (pair: Pair, sdkMode: Mode, rawMode: Mode) => {
        if (round % 2 === 0) {
          pair.sdk.push(await inWorker<Result>(sdkMode, await newTopic()));
          pair.raw.push(await inWorker<Result>(rawMode, await newTopic()));
        } else {
          pair.raw.push(await inWorker<Result>(rawMode, await newTopic()));
          pair.sdk.push(await inWorker<Result>(sdkMode, await newTopic()));
        }
      };
      await ab(one, 'sdk', 'raw-queue');
      await ab(batch, 'sdk-batch', 'raw-batch');
      if (JAVA && round % 2 === 0) java.push(await javaPerf(await newTopic(), recordSize));
      console.log(
        `round ${round + 1}: publish ${fmt(one.sdk.at(-1)!.perSecond)} vs raw queue ${fmt(one.raw.at(-1)!.perSecond)}; ` +
          `publishBatch ${fmt(batch.sdk.at(-1)!.perSecond)} vs raw sendBatch ${fmt(batch.raw.at(-1)!.perSecond)}` +
          (java.length > 0 && round % 2 === 0 ? `; java ${fmt(java.at(-1)!.perSecond)}` : ''),
      );
    }
    const sdkLat: number[] = [];
    const rawLat: number[] = [];
    const sdkOwn: number[] = [];
    const rawOwn: number[] = [];
    const latRounds: number[] = [];
    const sdkTrip: number[] = [];
    const rawTrip: number[] = [];
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      const pair = await inWorker<{ sdk: LatencySide; raw: LatencySide }>('latency', await newTopic());
      sdkLat.push(...pair.sdk.total);
      rawLat.push(...pair.raw.total);
      sdkOwn.push(...pair.sdk.own);
      rawOwn.push(...pair.raw.own);
      sdkTrip.push(...pair.sdk.total.map((t, i) => t - pair.sdk.own[i]!));
      rawTrip.push(...pair.raw.total.map((t, i) => t - pair.raw.own[i]!));
      latRounds.push((median(pair.sdk.total) / median(pair.raw.total) - 1) * 100);
    }
    const microResult = await inWorker<MicroResult>('micro', '-');

    const o = pairStats(one);
    const b = pairStats(batch);
    const javaRate = java.length > 0 ? median(java.map((r) => r.perSecond)) : undefined;
    const vsJava = (n: number) => (javaRate === undefined ? 'n/a' : `${(n / javaRate).toFixed(2)}×`);
    const pct = (n: number) => `${n >= 0 ? '' : '−'}${Math.abs(n).toFixed(1)} %`;
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const us = (n: number) => `${n.toFixed(1)} µs`;
    const spreadCells = (v: ReturnType<typeof spreadOf>) =>
      `**${pct(v.median)}** | ${pct(v.p25)} … ${pct(v.p75)} | ${pct(v.min)} … ${pct(v.max)}`;
    const spread = (rs: Result[]) => rs.map((r) => fmt(r.perSecond)).join(', ');
    const latOverhead = (median(sdkLat) / median(rawLat) - 1) * 100;
    const markdown = `
${N.toLocaleString('en')} VM operation events per run (${recordSize} bytes of JSON on average, 13 headers, keyed by VM id),
topic with ${PARTITIONS} partitions on the single-node broker (${BROKERS.join(',')}). ${ROUNDS} rounds; in each, the SDK run and
its raw kafkajs counterpart run back to back (A/B, order alternating by round), each in a fresh process after
${WARMUPS} unmeasured warm-up run(s) of the same size.

Same settings on both Node sides: idempotent, acks=all, one request in flight, no auto topic creation, the
Java-compatible partitioner, no compression, the same retries and timeouts, batches up to ${BATCH_BYTES / 1024} KiB. kafkajs has no
linger, so the SDK runs with \`lingerMs: 0\` (a batch leaves as soon as the previous send is done) and raw kafkajs
does the same by hand: for \`publish\` (one call per event, ≤ ${WINDOW} outstanding) the raw side is a send-when-idle queue
(everything queued goes out in one \`sendBatch\` when no send is in flight, same ${WINDOW}-event window, same size accounting);
for \`publishBatch\` both sides send the same chunks of ${CHUNK} events one call at a time. Raw kafkajs builds the same
JSON, key and headers by hand; the SDK also validates every event, checks keys, headers and sizes, and returns one
result per event.

| comparison | raw kafkajs (median) | SDK (median) | SDK overhead (median of rounds) | middle half of rounds | all rounds | vs Java |
|---|---|---|---|---|---|---|
| \`publish\` vs send-when-idle queue | ${fmt(o.raw)} | ${fmt(o.sdk)} | ${spreadCells(o.overhead)} | ${vsJava(o.sdk)} |
| \`publishBatch\` vs \`sendBatch\` | ${fmt(b.raw)} | ${fmt(b.sdk)} | ${spreadCells(b.overhead)} | ${vsJava(b.sdk)} |
${javaRate === undefined ? '' : `| Java ProducerPerformance (ceiling) | | ${fmt(javaRate)} | | | | 1.00× |\n`}
Overhead is 1 − SDK/raw of the two runs of a round (target ≤ 5 %). Per-round values: \`publish\` ${spread(one.sdk)} vs
raw ${spread(one.raw)}; \`publishBatch\` ${spread(batch.sdk)} vs raw ${spread(batch.raw)}.

CPU time of the process per event in the same runs (every thread: JavaScript, the garbage collector's helper
threads, libuv; \`process.cpuUsage\` around the measured run). On this 2-core machine the broker runs on the same
cores, so CPU the SDK spends beyond raw kafkajs (validation, checks, one promise and one result per event, and the
garbage collection of what it allocates) is CPU the broker does not get:

| comparison | raw kafkajs CPU per event (median) | SDK CPU per event (median) | SDK extra CPU (median of rounds) | middle half of rounds | all rounds |
|---|---|---|---|---|---|
| \`publish\` vs send-when-idle queue | ${us(o.rawCpu)} | ${us(o.sdkCpu)} | ${spreadCells(o.cpuOverhead)} |
| \`publishBatch\` vs \`sendBatch\` | ${us(b.rawCpu)} | ${us(b.sdkCpu)} | ${spreadCells(b.cpuOverhead)} |

${
  javaRate === undefined
    ? ''
    : `ProducerPerformance (Java, kafka-clients) sends ${(N * 3).toLocaleString('en')} unkeyed records of the same size without headers,
acks=all, idempotence, linger.ms=5, batch.size=${BATCH_BYTES}, its default 5 requests in flight: ${java.map((r) => fmt(r.perSecond)).join(', ')}
(p50 / p99 ${java.map((r) => `${r.p50} / ${r.p99}`).join(', ')} ms).`
}

Latency of one event awaited before the next, \`publish\` vs \`sendBatch\` of one message: both sides in the same
process on the same topic and the same connection (the raw side calls \`sendBatch\` of the kafkajs producer the SDK
created: same settings, and the broker's round trip, most of a single event's time, differs from connection to
connection by more than the SDK's share), alternating blocks of ${LATENCY_BLOCK} events (so they see the same machine state),
${LATENCY_N} events each after ${LATENCY_WARMUPS} unmeasured warm-up passes of as many (V8 optimizes the large schema validators only after
1,000–3,000 calls; a single pass left the measured events partly in the interpreter); ${LATENCY_ROUNDS} rounds, each in a fresh process:

| producer | p50 | p99 | own share p50 (before the kafkajs call + after its answer) | kafkajs call to answer p50 |
|---|---|---|---|---|
| raw kafkajs \`sendBatch\` of one message | ${ms(median(rawLat))} | ${ms(percentile(rawLat, 99))} | ${us(median(rawOwn) * 1000)} | ${ms(median(rawTrip))} |
| SDK \`publish\` | ${ms(median(sdkLat))} | ${ms(percentile(sdkLat, 99))} | ${us(median(sdkOwn) * 1000)} | ${ms(median(sdkTrip))} |

SDK p50 latency overhead: **${pct(latOverhead)}** (per round: ${latRounds.map(pct).join(', ')}; target ≤ 5 %). The SDK's own work
adds ${us((median(sdkOwn) - median(rawOwn)) * 1000)} per event to the raw code's, ${pct(((median(sdkOwn) - median(rawOwn)) / median(rawLat)) * 100)} of the raw p50; the rest is the time
from the kafkajs call to its answer (kafkajs's encoding, the broker, the answer's decoding), which is a little
longer after the SDK's work than after the raw code's on the same connection (a core that has just run more code
finds less of kafkajs in its caches). Under load (the \`publish\` throughput runs) the time from \`publish()\`
to acknowledgement was ${ms(median(one.sdk.map((r) => r.p50!)))} / ${ms(median(one.sdk.map((r) => r.p99!)))} p50 / p99 for the SDK and
${ms(median(one.raw.map((r) => r.p50!)))} / ${ms(median(one.raw.map((r) => r.p99!)))} for the raw queue (with up to ${WINDOW} events outstanding, so it includes queueing).

**CPU cost of the SDK's own work, without a broker** (\`pnpm exec tsx bench/producer.ts micro\`): the same drivers,
with kafkajs's network side replaced by a fake that runs the partitioner on every record, writes its key, value
and header bytes the way kafkajs does (so string-to-bytes work counts once, whichever side does it) and
acknowledges at once; ${MICRO_ROUNDS} interleaved rounds of ${MICRO_EVENTS.toLocaleString('en')} events in one process after 5 warm-up rounds, timed in
CPU time of the process (time spent descheduled by other processes does not count). It says what the SDK adds per
event on top of hand-written code; compare it with the raw path's ${fmt(o.raw)} on the broker (${(1e6 / o.raw).toFixed(1)} µs per event) —
5 % of that is ${((0.05 * 1e6) / o.raw).toFixed(1)} µs:

${microTable(microResult)}

Run: \`pnpm exec tsx bench/producer.ts\` (or \`bash scripts/bench.sh producer\`).
`;
    if (WRITE) {
      writeReportSection(
        'producer',
        'Producer: SDK vs raw kafkajs vs Java ProducerPerformance (bench/producer.ts)',
        markdown,
      );
    }
    console.log(markdown);
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

if (process.argv[2] === 'worker') await worker(process.argv[3]!, process.argv[4]!);
else await main();
