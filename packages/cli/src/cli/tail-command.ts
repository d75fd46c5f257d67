/**
 * `vmware-events tail`: live events of the contract, like kcat, decoded with the record codec. It reads with a
 * consumer group of its own (`vmware-events-tail-<uuid>`, deleted when it stops), so it never moves a service's
 * offsets; where it starts is set per partition from offsets read before it joins, so nothing written after the
 * command started is missed.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import type { Admin, Consumer } from 'kafkajs';
import { CANONICAL_TOPIC, OPERATIONS } from '@org/vmware-events-schema';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  isUnreachable,
  kafkaConfig,
  resolveConnection,
  unreachableMessage,
} from './connection.js';
import { EXIT, InputError, UsageError } from './io.js';
import type { CommandIo } from './io.js';
import { formatTailRecord, matchesTailFilter, readTailRecord, tailRecordToJson } from './tail-records.js';
import type { TailFilter } from './tail-records.js';

/** Help of `vmware-events tail`. */
export const TAIL_HELP = `Usage: vmware-events tail [--topic <topic>]... [--from end|start|<ISO time>] [filters] [--json]
                          [--count <n>] [--exit-at-end] [connection]

Prints the events of topics as they arrive, decoded and validated like the consumer does. A record that does not
decode is shown as NOT DECODED with the reason and its raw value, never skipped. Ctrl-C stops (exit 0).

Options:
  -t, --topic <topic>    a topic to read (repeatable; default ${CANONICAL_TOPIC})
  --from <where>         end (default: only what arrives from now), start (everything kept), or an ISO 8601
                         time (the first record at or after it, in every partition)
  --env <env>            only events of this environment (repeatable: any of them)
  --tenant <tenant>      only events of this tenant (repeatable)
  --operation <op>       only this operation (repeatable): ${OPERATIONS.join(', ')}
  --vm <id-or-name>      only this VM, by vmId or vmName (repeatable)
  --json                 one JSON object per record on stdout: {topic, partition, offset, timestamp, key,
                         headers, event}, or {…, error: {code, message, issues}, value} when it does not decode
  -c, --count <n>        stop after printing n records
  -e, --exit-at-end      stop at the end of every partition as it was when tail started
  -h, --help             this help

Filters combine: any listed value of one filter, and every filter given. A record that does not decode is
matched by what it does say (its JSON, else the env/tenant/operationType/ce_subject headers) and kept when it
does not say.

${CONNECTION_HELP}

Progress and the summary go to stderr; tail says "tailing …" there once it reads.
Exit codes: 0 stopped (Ctrl-C, --count, --exit-at-end), 2 usage or a topic that does not exist,
3 the cluster cannot be reached.
`;

/** Where tail starts reading. */
type From = { kind: 'start' } | { kind: 'end' } | { kind: 'time'; ms: number; text: string };

/** Runs `tail …` and returns the exit code. */
export async function runTailCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      topic: { type: 'string', short: 't', multiple: true },
      from: { type: 'string', default: 'end' },
      env: { type: 'string', multiple: true },
      tenant: { type: 'string', multiple: true },
      operation: { type: 'string', multiple: true },
      vm: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      count: { type: 'string', short: 'c' },
      'exit-at-end': { type: 'boolean', short: 'e' },
      help: { type: 'boolean', short: 'h' },
      ...CONNECTION_FLAGS,
    },
  });
  if (values.help) {
    io.stdout(TAIL_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}' (topics go in --topic)`);
  const topics = [...new Set(values.topic ?? [CANONICAL_TOPIC])];
  const from = parseFrom(values.from);
  const count = values.count === undefined ? undefined : parseCount(values.count);
  const unknownOps = (values.operation ?? []).filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (unknownOps.length > 0)
    throw new UsageError(`Unknown --operation ${unknownOps.join(', ')}: use ${OPERATIONS.join(', ')}`);
  const filter: TailFilter = {
    environments: values.env ?? [],
    tenants: values.tenant ?? [],
    operations: values.operation ?? [],
    vms: values.vm ?? [],
  };
  const connection = await resolveConnection(values, io.env);

  const kafka = new kafkajs.Kafka(kafkaConfig(connection));
  const admin = kafka.admin();
  const groupId = `vmware-events-tail-${randomUUID()}`;
  let consumer: Consumer | undefined;
  try {
    await admin.connect();
    const positions = await startPositions(admin, topics, from);
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    const stats = await tail(consumer, topics, positions, {
      io,
      filter,
      json: values.json === true,
      count,
      exitAtEnd: values['exit-at-end'] === true,
      describeFrom: describeFrom(from),
    });
    io.stderr(
      `${stats.shown} record${stats.shown === 1 ? '' : 's'} shown` +
        (stats.undecoded > 0 ? ` (${stats.undecoded} not decoded)` : '') +
        (stats.filtered > 0 ? `, ${stats.filtered} filtered out` : '') +
        '\n',
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (!isUnreachable(error)) throw error;
    io.stderr(unreachableMessage(connection, error));
    return EXIT.unreachable;
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    if (consumer !== undefined) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

function parseFrom(value: string): From {
  if (value === 'end' || value === 'latest') return { kind: 'end' };
  if (value === 'start' || value === 'beginning' || value === 'earliest') return { kind: 'start' };
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`--from '${value}' must be end, start, or an ISO 8601 time (2026-01-02T03:04:05Z)`);
  return { kind: 'time', ms, text: new Date(ms).toISOString() };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--count '${value}' must be a whole number, 1 or more`);
  return n;
}

function describeFrom(from: From): string {
  return from.kind === 'end' ? 'the end' : from.kind === 'start' ? 'the start' : from.text;
}

/** Per topic and partition: the offset to start at, and the end as of now (for --exit-at-end). */
type Positions = Map<string, Map<number, { start: bigint; end: bigint }>>;

async function startPositions(admin: Admin, topics: readonly string[], from: From): Promise<Positions> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new InputError(
      `${missing.length === 1 ? 'topic' : 'topics'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist on the cluster (vmware-events topics plan shows what should)`,
    );
  }
  const positions: Positions = new Map();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const byTime =
      from.kind === 'time'
        ? new Map(
            (await admin.fetchTopicOffsetsByTimestamp(topic, from.ms)).map((p) => [p.partition, p.offset]),
          )
        : undefined;
    const partitions = new Map<number, { start: bigint; end: bigint }>();
    for (const { partition, low, high } of offsets) {
      const start =
        from.kind === 'start' ? low : from.kind === 'end' ? high : (byTime!.get(partition) ?? high);
      partitions.set(partition, { start: BigInt(start), end: BigInt(high) });
    }
    positions.set(topic, partitions);
  }
  return positions;
}

interface TailOptions {
  io: CommandIo;
  filter: TailFilter;
  json: boolean;
  count: number | undefined;
  exitAtEnd: boolean;
  describeFrom: string;
}

interface TailStats {
  shown: number;
  undecoded: number;
  filtered: number;
}

/** Reads until Ctrl-C, `count` records printed, or (with exitAtEnd) the end of every partition. */
async function tail(
  consumer: Consumer,
  topics: readonly string[],
  positions: Positions,
  options: TailOptions,
): Promise<TailStats> {
  const { io } = options;
  const stats: TailStats = { shown: 0, undecoded: 0, filtered: 0 };
  // Partitions still to read up to their end (only with exitAtEnd).
  const pending = new Set<string>();
  if (options.exitAtEnd) {
    for (const [topic, partitions] of positions)
      for (const [partition, { start, end }] of partitions)
        if (start < end) pending.add(`${topic}/${partition}`);
  }
  let stopped = false;
  let stop!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    stop = (error?: Error) => {
      stopped = true;
      if (error === undefined) resolve();
      else reject(error);
    };
  });
  const onAbort = () => stop();
  options.io.signal?.addEventListener('abort', onAbort, { once: true });
  const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) stop(event.payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        if (stopped) return Promise.resolve();
        const record = readTailRecord({ topic, partition, ...message });
        if (matchesTailFilter(record, options.filter)) {
          stats.shown += 1;
          if (record.error !== undefined) stats.undecoded += 1;
          io.stdout(options.json ? tailRecordToJson(record) : formatTailRecord(record));
        } else {
          stats.filtered += 1;
        }
        const end = positions.get(topic)?.get(partition)?.end;
        if (end !== undefined && BigInt(message.offset) >= end - 1n) pending.delete(`${topic}/${partition}`);
        if (
          (options.count !== undefined && stats.shown >= options.count) ||
          (options.exitAtEnd && pending.size === 0)
        )
          stop();
        return Promise.resolve();
      },
    });
    for (const [topic, partitions] of positions)
      for (const [partition, { start }] of partitions)
        consumer.seek({ topic, partition, offset: start.toString() });
    const partitionCount = [...positions.values()].reduce((n, p) => n + p.size, 0);
    io.stderr(
      `tailing ${topics.join(', ')} (${partitionCount} partition${partitionCount === 1 ? '' : 's'}) from ${options.describeFrom}${options.exitAtEnd ? ' to the end' : '; Ctrl-C to stop'}\n`,
    );
    if ((options.exitAtEnd && pending.size === 0) || options.io.signal?.aborted) stop();
    await done;
    return stats;
  } finally {
    options.io.signal?.removeEventListener('abort', onAbort);
    removeCrash();
  }
}
