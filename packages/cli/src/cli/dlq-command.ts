/**
 * `vmware-events dlq list|replay`: the consumer package's dead-letter tools (`listDeadLetters`,
 * `replayDeadLetters`) on the command line, with the shared connection settings and a progress bar.
 *
 * A replay first lists what it selected and checks every target topic exists, then sends exactly those records (a
 * dead letter that arrives meanwhile is left for the next run); `--dry-run` stops after the check. To the original
 * topic, a replayed record reaches every consumer group of that topic again (the others drop it as a duplicate); to
 * a retry topic (`--to retry --group <g>`), only that group reads it.
 */
import { parseArgs } from 'node:util';
import {
  DEAD_LETTER_SUFFIX,
  CANONICAL_TOPIC,
  isInvalidTopicNameError,
  retryTopic,
} from '@org/vmware-events-schema';
import { listDeadLetters, replayDeadLetters } from '@org/vmware-events-consumer';
import type { DeadLetterEntry, DeadLetterProgress, DeadLetterQuery } from '@org/vmware-events-consumer';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  createAdmin,
  isUnreachable,
  kafkaConfig,
  resolveConnection,
  unreachableMessage,
} from './connection.js';
import type { Connection } from './connection.js';
import { EXIT, InputError, UsageError } from './io.js';
import type { CommandIo } from './io.js';
import { createProgressBar } from './progress.js';

const DEFAULT_DLQ = `${CANONICAL_TOPIC}${DEAD_LETTER_SUFFIX}`;
const REASONS = [
  'DECODE_ERROR',
  'SCHEMA_VALIDATION',
  'TENANT_MISMATCH',
  'HANDLER_FATAL',
  'RETRIES_EXHAUSTED',
];

/** Help of `vmware-events dlq`. */
export const DLQ_HELP = `Usage:
  vmware-events dlq list   [--topic <dlq>] [filters] [--json] [connection]
  vmware-events dlq replay [--topic <dlq>] [filters] [--to original | --to retry --group <g> | --target-topic <t>]
                           [--dry-run] [--json] [connection]

list    the records of a dead-letter topic, from its start to its end as of now, with why each failed
replay  sends the selected records back: the same key, value and headers, without the dead-letter headers,
        plus x-dlt-replayed-from. It first lists them and checks every target topic exists; then it sends exactly
        those. The dead-letter topic is not changed.

Filters (combined: every one given must match):
  --reason <reason>      ${REASONS.join(', ')} (repeatable)
  --since <ISO time>     dead-lettered at or after
  --until <ISO time>     dead-lettered before
  --group <group>        given up on by this consumer group (kafka_dlt-original-consumer-group)
  --event-id <id>        this event (repeatable)

Options:
  --topic <dlq>          the dead-letter topic (default ${DEFAULT_DLQ})
  --to original          replay: each record to the topic it came from (default). Every consumer group of
                         that topic reads it again; the groups that had processed it drop it as a duplicate.
  --to retry             replay: to the retry topic <original topic>.retry.<group> of --group (required),
                         which only that group reads (it subscribes to it next to its topic); only records
                         that group gave up on are selected
  --target-topic <t>     replay: every record to this topic
  --dry-run              replay: list and check, send nothing
  --json                 list: one JSON object per record; replay: one JSON result (progress goes to stderr)
  -h, --help             this help

${CONNECTION_HELP}

A progress bar is drawn on stderr when it is a terminal.
Exit codes: 0 done (also when nothing matched), 1 the replay failed or a record has no original topic,
2 usage, or a topic that does not exist, 3 the cluster cannot be reached.
`;

type Target = { kind: 'original' } | { kind: 'retry'; group: string } | { kind: 'topic'; topic: string };

/** Runs `dlq <list|replay> …` and returns the exit code. */
export async function runDlqCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      topic: { type: 'string', default: DEFAULT_DLQ },
      reason: { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      group: { type: 'string' },
      'event-id': { type: 'string', multiple: true },
      to: { type: 'string' },
      'target-topic': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...CONNECTION_FLAGS,
    },
  });
  if (values.help) {
    io.stdout(DLQ_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (action !== 'list' && action !== 'replay') {
    throw new UsageError(
      action === undefined
        ? 'dlq needs list or replay'
        : `Unknown dlq command '${action}': use list or replay`,
    );
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
  const unknownReasons = (values.reason ?? []).filter((r) => !REASONS.includes(r));
  if (unknownReasons.length > 0)
    throw new UsageError(`Unknown --reason ${unknownReasons.join(', ')}: use ${REASONS.join(', ')}`);
  const target = action === 'replay' ? parseTarget(values) : undefined;
  if (action === 'list') {
    const replayOnly = (['to', 'target-topic', 'dry-run'] as const).filter((f) => values[f] !== undefined);
    if (replayOnly.length > 0) throw new UsageError(`--${replayOnly[0]} is for dlq replay`);
  }
  const eventIds = values['event-id'];
  const group = values.group;
  const query: Omit<DeadLetterQuery, 'kafka'> = {
    topic: values.topic,
    ...(values.reason === undefined ? {} : { reasons: values.reason }),
    ...optionalDate('since', values.since),
    ...optionalDate('until', values.until),
    ...(group === undefined && eventIds === undefined
      ? {}
      : {
          filter: (entry: DeadLetterEntry) =>
            (group === undefined || entry.info.original.consumerGroup === group) &&
            (eventIds === undefined || (entry.eventId !== undefined && eventIds.includes(entry.eventId))),
        }),
  };
  const connection = await resolveConnection(values, io.env);
  try {
    await checkTopicsExist(connection, [values.topic], 'the dead-letter topic');
    return action === 'list'
      ? await runList(connection, query, io, values.json === true)
      : await runReplay(connection, query, target!, io, {
          dryRun: values['dry-run'] === true,
          json: values.json === true,
        });
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (!isUnreachable(error)) throw error;
    io.stderr(unreachableMessage(connection, error));
    return EXIT.unreachable;
  }
}

function parseTarget(values: { to?: string; group?: string; 'target-topic'?: string }): Target {
  const to = values.to ?? (values['target-topic'] === undefined ? 'original' : undefined);
  if (values['target-topic'] !== undefined) {
    if (to !== undefined) throw new UsageError('--target-topic and --to exclude each other');
    return { kind: 'topic', topic: values['target-topic'] };
  }
  if (to === 'original') return { kind: 'original' };
  if (to !== 'retry') throw new UsageError(`--to '${String(to)}' must be original or retry`);
  if (values.group === undefined)
    throw new UsageError('--to retry needs --group <consumer group>: the group whose retry topic it is');
  try {
    retryTopic(CANONICAL_TOPIC, values.group); // the group must make a valid topic name
  } catch (error) {
    if (!isInvalidTopicNameError(error)) throw error;
    throw new UsageError(
      `--group '${values.group}' cannot name a retry topic: ${error.message}; use --target-topic`,
    );
  }
  return { kind: 'retry', group: values.group };
}

function optionalDate(name: 'since' | 'until', value: string | undefined): { since?: Date; until?: Date } {
  if (value === undefined) return {};
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw new UsageError(`--${name} '${value}' must be an ISO 8601 time (2026-01-02T03:04:05Z)`);
  return { [name]: date };
}

async function checkTopicsExist(
  connection: Connection,
  topics: readonly string[],
  what: string,
): Promise<void> {
  const admin = createAdmin(connection);
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new InputError(
        `${what} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist on the cluster` +
          (what.startsWith('the target')
            ? '; nothing was replayed (vmware-events topics apply creates them)'
            : ''),
      );
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function runList(
  connection: Connection,
  query: Omit<DeadLetterQuery, 'kafka'>,
  io: CommandIo,
  json: boolean,
): Promise<number> {
  const bar = createProgressBar(io, `scanning ${query.topic}`);
  const entries = await listDeadLetters({
    ...query,
    kafka: kafkaConfig(connection),
    onProgress: (p) => bar.update(p.scanned, p.total, `· ${p.matched} matched`),
  });
  bar.done();
  for (const entry of entries) io.stdout(json ? `${JSON.stringify(entryJson(entry))}\n` : `${line(entry)}\n`);
  io.stderr(`${entries.length} dead-lettered record${entries.length === 1 ? '' : 's'} matched\n`);
  return EXIT.ok;
}

async function runReplay(
  connection: Connection,
  query: Omit<DeadLetterQuery, 'kafka'>,
  target: Target,
  io: CommandIo,
  options: { dryRun: boolean; json: boolean },
): Promise<number> {
  const kafka = kafkaConfig(connection);
  const scanBar = createProgressBar(io, `scanning ${query.topic}`);
  const selected = await listDeadLetters({
    ...query, // with --to retry, --group (required) selects the records that group gave up on
    kafka,
    onProgress: (p) => scanBar.update(p.scanned, p.total, `· ${p.matched} matched`),
  });
  scanBar.done();
  const targets = new Map<string, string>();
  const problems: string[] = [];
  for (const entry of selected) {
    try {
      const topic = targetOf(entry, target);
      if (topic === undefined) problems.push(`${position(entry)} has no kafka_dlt-original-topic header`);
      else targets.set(position(entry), topic);
    } catch (error) {
      if (!isInvalidTopicNameError(error)) throw error;
      problems.push(`${position(entry)}: ${error.message}`);
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`error: ${query.topic}/${problem}\n`);
    io.stderr(
      'nothing was replayed: name a topic for them with --target-topic, or leave them out with filters\n',
    );
    return EXIT.failed;
  }
  await checkTopicsExist(connection, [...new Set(targets.values())], 'the target topic');

  const verb = options.dryRun ? 'would replay' : 'replayed';
  const summary = (replayed: number) => ({
    dryRun: options.dryRun,
    matched: selected.length,
    replayed,
    entries: selected.map((e) => ({ ...entryJson(e), target: targets.get(position(e)) })),
  });
  if (options.dryRun || selected.length === 0) {
    if (options.json) io.stdout(`${JSON.stringify(summary(0), null, 2)}\n`);
    else
      for (const entry of selected) io.stdout(`${verb}  ${line(entry)}  → ${targets.get(position(entry))}\n`);
    io.stderr(`${options.dryRun ? 'dry run: ' : ''}${selected.length} matched, 0 replayed\n`);
    return EXIT.ok;
  }

  const sendBar = createProgressBar(io, 'replaying');
  let progress: DeadLetterProgress;
  try {
    const result = await replayDeadLetters({
      ...query,
      kafka,
      filter: (entry) => targets.has(position(entry)),
      targetTopic: (entry) => targets.get(position(entry))!,
      onProgress: (p) => sendBar.update(p.replayed, selected.length, `· ${p.scanned}/${p.total} scanned`),
    });
    progress = result;
  } catch (error) {
    sendBar.done();
    if (isUnreachable(error)) throw error;
    io.stderr(
      `error: the replay failed: ${error instanceof Error ? error.message : String(error)}\n` +
        'records sent before the failure stay sent; running the same replay again is safe (consumers drop duplicates)\n',
    );
    return EXIT.failed;
  }
  sendBar.done();
  if (options.json) io.stdout(`${JSON.stringify(summary(progress.replayed), null, 2)}\n`);
  else
    for (const entry of selected) io.stdout(`${verb}  ${line(entry)}  → ${targets.get(position(entry))}\n`);
  const destinations = [...new Set(targets.values())].join(', ');
  io.stderr(`${selected.length} matched, ${progress.replayed} replayed to ${destinations}\n`);
  return progress.replayed === selected.length ? EXIT.ok : EXIT.failed;
}

function targetOf(entry: DeadLetterEntry, target: Target): string | undefined {
  const original = entry.info.original.topic;
  switch (target.kind) {
    case 'topic':
      return target.topic;
    case 'original':
      return original;
    case 'retry':
      return original === undefined ? undefined : retryTopic(original, target.group);
  }
}

const position = (entry: DeadLetterEntry) => `${entry.partition}@${entry.offset}`;

function line(entry: DeadLetterEntry): string {
  const o = entry.info.original;
  return [
    position(entry),
    entry.deadLetteredAt,
    entry.info.reason ?? '-',
    `attempts=${entry.info.attempts ?? '-'}`,
    `group=${o.consumerGroup ?? '-'}`,
    `from=${o.topic ?? '?'}/${o.partition ?? '?'}@${o.offset ?? '?'}`,
    `eventId=${entry.eventId ?? '-'}`,
    `error=${entry.info.exceptionClass ?? '-'}`,
  ].join('  ');
}

function entryJson(entry: DeadLetterEntry) {
  return {
    partition: entry.partition,
    offset: entry.offset,
    deadLetteredAt: entry.deadLetteredAt,
    key: entry.key,
    eventId: entry.eventId,
    ...entry.info,
  };
}
