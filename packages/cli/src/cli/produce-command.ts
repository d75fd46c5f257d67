/**
 * `vmware-events produce`: VM operation events from JSON or NDJSON files (or standard input) to Kafka, through the
 * SDK's producer. Every event is checked by the record codec first — the producer's own checks, defaults included —
 * and the topics are checked to exist; when anything is wrong, nothing is sent.
 */
import { parseArgs } from 'node:util';
import {
  CANONICAL_TOPIC,
  DOMAIN_EVENT_TYPES,
  KEY_STRATEGIES,
  assertTopicName,
  encodeVmOperationEvent,
  environmentTopic,
  isInvalidTopicNameError,
  isSchemaValidationError,
  isVmwEventsError,
} from '@org/vmware-events-schema';
import type { KeyStrategy, ValidationIssue, VmOperationEventInput } from '@org/vmware-events-schema';
import { createProducer } from '@org/vmware-events-producer';
import type { EventProducer, PublishResult } from '@org/vmware-events-producer';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  createAdmin,
  isUnreachable,
  producerConnection,
  resolveConnection,
  unreachableMessage,
} from './connection.js';
import type { Connection } from './connection.js';
import { readInputItems } from './input.js';
import type { InputItem } from './input.js';
import { EXIT, UsageError } from './io.js';
import type { CommandIo } from './io.js';

/** Help of `vmware-events produce`. */
export const PRODUCE_HELP = `Usage: vmware-events produce [--topic <topic> | --environment-topics] [--source <uri>]
                             [--key-strategy <strategy>] [--dry-run] [--json] [connection] [<file>... | -]

Sends VM operation events with the SDK's producer: validated, keyed, with the contract's headers, acknowledged
by every in-sync replica. A file holds one event, a JSON array of events, or one event per line (NDJSON).
Without a file, or with -, standard input is read. Events may leave out eventId, schemaVersion, correlationId,
operationInfo.timestamp and source (with --source): the producer fills them in.

Every event is checked before anything is sent, and every topic must exist: one invalid event, or one missing
topic, and nothing is sent (exit 1 or 2, each problem named by file and line).

Options:
  -t, --topic <topic>        send every event to this topic (default ${CANONICAL_TOPIC})
  --environment-topics       send each event to vmware.events.<its operationInfo.environment>
  --source <uri>             the source of events that carry none (e.g. urn:vmware-events:tool:replay)
  --key-strategy <strategy>  ${KEY_STRATEGIES.join(', ')} (default vmId)
  --dry-run                  check the events and show where each would go; connect to nothing
  --json                     the results as one JSON array on stdout (the summary goes to stderr)
  -h, --help                 this help

${CONNECTION_HELP}

Exit codes: 0 every event sent (or, with --dry-run, valid), 1 an event is invalid or a send failed (the output
says which were sent), 2 usage, an unreadable file or a topic that does not exist, 3 the cluster cannot be
reached.
`;

/** What became of one input value. */
interface Outcome {
  where: string;
  /** `unconfirmed`: in a send that failed, so it may or may not have been written; `not sent`: never tried. */
  status: 'sent' | 'valid' | 'invalid' | 'unconfirmed' | 'not sent';
  topic?: string;
  key?: string;
  eventId?: string;
  partition?: number;
  offset?: string;
  issues?: ValidationIssue[];
  error?: string;
}

/** An input value that passed the checks, with where it goes. */
interface Checked {
  where: string;
  event: VmOperationEventInput;
  topic: string;
  key: string;
}

/** Events per publishBatch call: a request stays well under a topic's max.message.bytes split point. */
const BATCH = 500;

/** Runs `produce …` and returns the exit code. */
export async function runProduceCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      topic: { type: 'string', short: 't' },
      'environment-topics': { type: 'boolean' },
      source: { type: 'string' },
      'key-strategy': { type: 'string', default: 'vmId' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...CONNECTION_FLAGS,
    },
  });
  if (values.help) {
    io.stdout(PRODUCE_HELP);
    return EXIT.ok;
  }
  const keyStrategy = values['key-strategy'];
  if (!(KEY_STRATEGIES as readonly string[]).includes(keyStrategy))
    throw new UsageError(`Unknown --key-strategy '${keyStrategy}': use ${KEY_STRATEGIES.join(', ')}`);
  if (values.topic !== undefined && values['environment-topics'])
    throw new UsageError('--topic and --environment-topics exclude each other');
  if (values.topic !== undefined) {
    try {
      assertTopicName(values.topic);
    } catch (error) {
      if (isInvalidTopicNameError(error)) throw new UsageError(`--topic: ${error.message}`);
      throw error;
    }
  }
  if (values.source === '') throw new UsageError('--source must not be empty');
  const topicOf = (event: VmOperationEventInput): string =>
    values.topic ??
    (values['environment-topics'] ? environmentTopic(event.operationInfo.environment) : CANONICAL_TOPIC);
  // Read and check everything before connecting: a dry run needs no cluster, and bad input fails fast.
  const connection = values['dry-run'] ? undefined : await resolveConnection(values, io.env);
  const items = await readInputItems(positionals, io, { command: 'produce', splitArrays: true });
  const options = { keyStrategy: keyStrategy as KeyStrategy, source: values.source };
  const outcomes: Outcome[] = [];
  const checked: Checked[] = [];
  for (const item of items) {
    const result = check(item, options, topicOf);
    if ('issues' in result) outcomes.push(result);
    else checked.push(result);
  }
  const json = values.json === true;
  if (items.length === 0) {
    io.stderr('error: no events to send\n');
    return EXIT.failed;
  }
  if (outcomes.length > 0) {
    report(outcomes, io, json);
    io.stderr(
      `${outcomes.length} of ${items.length} event${items.length === 1 ? '' : 's'} invalid: nothing was sent\n`,
    );
    return EXIT.failed;
  }
  if (connection === undefined) {
    report(
      checked.map((c) => ({ where: c.where, status: 'valid', topic: c.topic, key: c.key })),
      io,
      json,
    );
    io.stderr(`dry run: ${checked.length} valid event${checked.length === 1 ? '' : 's'}, nothing sent\n`);
    return EXIT.ok;
  }
  return send(connection, checked, options, io, json);
}

/** The record codec's verdict on one value: where it would go, or every problem. */
function check(
  item: InputItem,
  options: { keyStrategy: KeyStrategy; source: string | undefined },
  topicOf: (event: VmOperationEventInput) => string,
): Checked | (Outcome & { issues: ValidationIssue[] }) {
  const invalid = (issues: ValidationIssue[]) => ({ where: item.where, status: 'invalid' as const, issues });
  const issue = (message: string, path = ''): ValidationIssue => ({
    path,
    message,
    keyword: 'input',
    params: {},
  });
  if (item.unreadable !== undefined) return invalid([issue(item.unreadable)]);
  const value = item.value as Record<string, unknown>;
  if (
    typeof value === 'object' &&
    value !== null &&
    (DOMAIN_EVENT_TYPES as readonly unknown[]).includes(value.type) &&
    'tenant' in value
  ) {
    return invalid([issue('this is a domain event (seed 002); produce sends VM operation events')]);
  }
  try {
    const event = value as unknown as VmOperationEventInput;
    const record = encodeVmOperationEvent(event, options);
    return { where: item.where, event, topic: topicOf(event), key: record.key };
  } catch (error) {
    if (isSchemaValidationError(error)) return invalid([...error.issues]);
    if (isVmwEventsError(error)) return invalid([issue(error.message)]);
    throw error;
  }
}

async function send(
  connection: Connection,
  checked: readonly Checked[],
  options: { keyStrategy: KeyStrategy; source: string | undefined },
  io: CommandIo,
  json: boolean,
): Promise<number> {
  const admin = createAdmin(connection);
  let producer: EventProducer | undefined;
  const outcomes: Outcome[] = [];
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(checked.map((c) => c.topic))].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      for (const c of checked.filter((c) => missing.includes(c.topic)))
        io.stderr(`error: ${c.where}: topic ${c.topic} does not exist\n`);
      io.stderr(
        `nothing was sent: create ${missing.join(', ')} first (vmware-events topics apply), or pick another --topic\n`,
      );
      return EXIT.usage;
    }
    producer = createProducer({
      ...producerConnection(connection),
      keyStrategy: options.keyStrategy,
      ...(options.source === undefined ? {} : { source: options.source }),
      lingerMs: 0,
      traceContext: 'off',
      kafkaLogLevel: 'nothing',
    });
    await producer.connect();
    for (let i = 0; i < checked.length; i += BATCH) {
      const chunk = checked.slice(i, i + BATCH);
      // One topic per call keeps every result matched to its event; topics alternate rarely in practice.
      for (const group of byTopic(chunk)) {
        let results: PublishResult[];
        try {
          results = await producer.publishBatch(
            group.map((c) => c.event),
            { topic: group[0]!.topic },
          );
        } catch (error) {
          if (isUnreachable(error)) throw error;
          const message = error instanceof Error ? error.message : String(error);
          const sent = outcomes.length;
          const failed = new Set(group);
          for (const c of checked.slice(sent)) {
            const status = failed.has(c) ? 'unconfirmed' : 'not sent';
            outcomes.push({
              where: c.where,
              status,
              topic: c.topic,
              ...(failed.has(c) ? { error: message } : {}),
            });
          }
          report(outcomes, io, json);
          io.stderr(
            `error: a send failed: ${message}\n${sent} of ${checked.length} events confirmed; ${group.length} unconfirmed (they may or may not have been written), ${checked.length - sent - group.length} not sent\n`,
          );
          return EXIT.failed;
        }
        group.forEach((c, k) => {
          const r = results[k]!;
          outcomes.push({
            where: c.where,
            status: 'sent',
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            key: r.key,
            eventId: r.eventId,
          });
        });
      }
    }
    report(outcomes, io, json);
    io.stderr(`${outcomes.length} event${outcomes.length === 1 ? '' : 's'} sent\n`);
    return EXIT.ok;
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    if (outcomes.length > 0) report(outcomes, io, json);
    io.stderr(unreachableMessage(connection, error));
    return EXIT.unreachable;
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Consecutive runs of events with the same topic, in order. */
function byTopic(checked: readonly Checked[]): Checked[][] {
  const groups: Checked[][] = [];
  for (const c of checked) {
    const last = groups.at(-1);
    if (last !== undefined && last[0]!.topic === c.topic) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

function report(outcomes: readonly Outcome[], io: CommandIo, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(outcomes, null, 2)}\n`);
    return;
  }
  for (const o of outcomes) {
    switch (o.status) {
      case 'sent':
        io.stdout(
          `sent      ${o.where}  ${o.topic}/${o.partition}@${o.offset}  key=${o.key}  id=${o.eventId}\n`,
        );
        break;
      case 'valid':
        io.stdout(`valid     ${o.where}  → ${o.topic}  key=${o.key}\n`);
        break;
      case 'invalid':
        io.stdout(`INVALID   ${o.where}\n`);
        for (const i of o.issues ?? [])
          io.stdout(`            ${i.path === '' ? '/' : i.path}: ${i.message}\n`);
        break;
      case 'unconfirmed':
        io.stdout(`UNCONFIRMED  ${o.where}  → ${o.topic}: ${o.error}\n`);
        break;
      case 'not sent':
        io.stdout(`NOT SENT  ${o.where}  → ${o.topic}\n`);
        break;
    }
  }
}
