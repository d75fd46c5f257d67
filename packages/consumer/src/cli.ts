/**
 * vmware-events-dlq: list and replay dead-lettered VMware operation events.
 *
 *   vmware-events-dlq list   --brokers 127.0.0.1:9092 --topic vmware.events.dlq [--reason R] [--since ISO] [--until ISO] [--json]
 *   vmware-events-dlq replay --brokers 127.0.0.1:9092 --topic vmware.events.dlq [--reason R] [--since ISO] [--until ISO] [--dry-run] [--target-topic T]
 *
 * Results go to stdout, progress to stderr. Exit code 0 on success, 1 on failure, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { listDeadLetters, replayDeadLetters } from './dead-letter-tools.js';
import type { DeadLetterEntry, DeadLetterProgress } from './dead-letter-tools.js';

const USAGE = `Usage:
  vmware-events-dlq list   --brokers <host:port,...> --topic <dlq topic> [--reason <R>]... [--since <ISO>] [--until <ISO>] [--json]
  vmware-events-dlq replay --brokers <host:port,...> --topic <dlq topic> [--reason <R>]... [--since <ISO>] [--until <ISO>] [--dry-run] [--target-topic <topic>]

--brokers defaults to $KAFKA_BROKERS. Reasons: DECODE_ERROR, SCHEMA_VALIDATION, TENANT_MISMATCH, HANDLER_FATAL, RETRIES_EXHAUSTED.`;

class UsageError extends Error {}

function parseDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} '${value}' is not an ISO 8601 date-time`);
  return date;
}

function line(entry: DeadLetterEntry): string {
  const o = entry.info.original;
  return [
    `${entry.partition}@${entry.offset}`,
    entry.deadLetteredAt,
    entry.info.reason ?? '-',
    `attempts=${entry.info.attempts ?? '-'}`,
    `from=${o.topic ?? '?'}/${o.partition ?? '?'}@${o.offset ?? '?'}`,
    `eventId=${entry.eventId ?? '-'}`,
    `error=${entry.info.exceptionClass ?? '-'}`,
  ].join('  ');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        brokers: { type: 'string' },
        topic: { type: 'string' },
        reason: { type: 'string', multiple: true },
        since: { type: 'string' },
        until: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'target-topic': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (command !== 'list' && command !== 'replay')
      throw new UsageError(`Unknown command '${command ?? ''}': use list or replay`);
    const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
    if (brokers.length === 0) throw new UsageError('--brokers is required (or set KAFKA_BROKERS)');
    if (!values.topic)
      throw new UsageError('--topic is required (the dead-letter topic, e.g. vmware.events.dlq)');
    const query = {
      kafka: { brokers, clientId: 'vmware-events-dlq' },
      topic: values.topic,
      reasons: values.reason,
      since: parseDate('since', values.since),
      until: parseDate('until', values.until),
      onProgress: (p: DeadLetterProgress) =>
        err.write(
          `scanned ${p.scanned}/${p.total}, matched ${p.matched}${command === 'replay' ? `, replayed ${p.replayed}` : ''}\n`,
        ),
    };
    if (command === 'list') {
      const entries = await listDeadLetters(query);
      for (const entry of entries) {
        out.write(
          values.json
            ? `${JSON.stringify({ partition: entry.partition, offset: entry.offset, deadLetteredAt: entry.deadLetteredAt, key: entry.key, eventId: entry.eventId, ...entry.info })}\n`
            : `${line(entry)}\n`,
        );
      }
      err.write(`${entries.length} dead-lettered record(s) matched\n`);
      return 0;
    }
    const result = await replayDeadLetters({
      ...query,
      dryRun: values['dry-run'] ?? false,
      targetTopic: values['target-topic'],
    });
    for (const entry of result.entries)
      out.write(`${values['dry-run'] ? 'would replay' : 'replayed'}  ${line(entry)}\n`);
    err.write(
      `${values['dry-run'] ? 'dry run: ' : ''}${result.matched} matched, ${result.replayed} replayed\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    err.write(`vmware-events-dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && /(?:cli\.(?:[cm]?js|ts)|vmware-events-dlq)$/.test(process.argv[1]);
if (invokedDirectly) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
