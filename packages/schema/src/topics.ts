/**
 * Topic names. Every builder returns a name Kafka accepts or throws an {@link InvalidTopicNameError} naming the
 * offending part, so a bad environment or team name fails where it is configured, not at the first send.
 */
import { InvalidTopicNameError } from './errors.js';
import { describeChar, describeValue, printable } from './keys.js';

/** The canonical topic every VM operation event goes to (seed 000 §1.1). */
export const CANONICAL_TOPIC = 'vmware.events';

/** Suffix of a dead-letter topic: `<topic>.dlq` (seed 000 §3.4: `vmware.events.dlq`). */
export const DEAD_LETTER_SUFFIX = '.dlq';

/** Suffix of the topic for raw, unmapped source events (the vCenter bridge): `vmware.events.raw`. */
export const RAW_SUFFIX = '.raw';

/** Longest topic name Kafka accepts. */
export const MAX_TOPIC_NAME_LENGTH = 249;

/** The segment of a retry topic before the consumer group: `<topic>.retry.<groupId>` (see {@link retryTopic}). */
export const RETRY_SEGMENT = 'retry';

/**
 * Segments that `environmentTopic()` and `teamTopic()` refuse because the result would be another topic of the
 * convention (`vmware.events.dlq` is the canonical dead-letter topic, `vmware.events.raw` the raw events topic,
 * `vmware.events.retry.<group>` the canonical topic's retry topics).
 */
export const RESERVED_TOPIC_SEGMENTS = ['dlq', 'raw', RETRY_SEGMENT] as const;

const RESERVED_MEANING: Record<(typeof RESERVED_TOPIC_SEGMENTS)[number], string> = {
  dlq: 'vmware.events.dlq is the canonical dead-letter topic',
  raw: 'vmware.events.raw is the raw events topic',
  retry: 'vmware.events.retry.<group> are the retry topics of the canonical topic',
};

const LEGAL_CHAR = /^[a-zA-Z0-9._-]$/;

/**
 * Every reason Kafka would reject `name` as a topic name, as messages; empty when the name is valid.
 * Kafka's rules: not empty, not `.` or `..`, at most 249 characters, only `a-z A-Z 0-9 . _ -`.
 *
 * @example validateTopicName('vmware events') // ["character ' ' (U+0020) at index 6 is not allowed; …"]
 */
export function validateTopicName(name: unknown): string[] {
  if (typeof name !== 'string') return [`a topic name must be a string, got ${describeValue(name)}`];
  if (name === '') return ['a topic name must not be empty'];
  if (name === '.' || name === '..') return [`a topic name must not be '.' or '..'`];
  const problems: string[] = [];
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    problems.push(`it is ${name.length} characters long; Kafka allows at most ${MAX_TOPIC_NAME_LENGTH}`);
  }
  let index = 0;
  for (const char of name) {
    if (!LEGAL_CHAR.test(char)) {
      problems.push(`${describeChar(char)} at index ${index} is not allowed; use only a-z A-Z 0-9 . _ -`);
      break;
    }
    index += char.length;
  }
  return problems;
}

/**
 * Throws unless Kafka accepts `name` as a topic name.
 *
 * @throws InvalidTopicNameError with every problem in the message.
 */
export function assertTopicName(name: unknown): asserts name is string {
  const problems = validateTopicName(name);
  if (problems.length > 0) {
    const shown = typeof name === 'string' ? `"${printable(name)}"` : describeValue(name);
    throw new InvalidTopicNameError(
      typeof name === 'string' ? name : String(name),
      `Invalid topic name ${shown}: ${problems.join('; ')}`,
    );
  }
}

/**
 * True when two different topic names map to the same metric name: Kafka replaces `.` with `_` in metric names, so
 * `vmware.events` and `vmware_events` collide (Kafka warns on create, and their metrics mix). Identical names are
 * one topic and do not collide.
 */
export function topicsCollide(a: string, b: string): boolean {
  return a !== b && a.replaceAll('.', '_') === b.replaceAll('.', '_');
}

/**
 * The per-environment topic `vmware.events.<env>` (seed 000 §1.1). The environment is used as given: topic names
 * are case-sensitive, and lower-casing would merge `DEV` and `dev` without telling anyone.
 *
 * @example environmentTopic('prod') // 'vmware.events.prod'
 * @throws InvalidTopicNameError when `env` is not a single valid segment or is reserved (`dlq`, `raw`).
 */
export function environmentTopic(env: string): string {
  return withinLimit(`${CANONICAL_TOPIC}.${checkSegment('environment', env, true)}`, 'environment');
}

/**
 * The per-team topic `vmware.events.<team>` (seed 000 §1.1). Environments and teams share this namespace: a team
 * must not be named like an environment.
 *
 * @example teamTopic('billing') // 'vmware.events.billing'
 * @throws InvalidTopicNameError when `team` is not a single valid segment or is reserved (`dlq`, `raw`).
 */
export function teamTopic(team: string): string {
  return withinLimit(`${CANONICAL_TOPIC}.${checkSegment('team', team, true)}`, 'team');
}

/**
 * The dead-letter topic of `topic`: `<topic>.dlq`.
 *
 * @example deadLetterTopic('vmware.events') // 'vmware.events.dlq'
 * @throws InvalidTopicNameError when `topic` is invalid or the result is longer than 249 characters.
 */
export function deadLetterTopic(topic: string): string {
  return suffixed(topic, DEAD_LETTER_SUFFIX, 'dead-letter');
}

/**
 * The topic for raw source events the bridge cannot map to a VM operation: `<topic>.raw`, by default
 * `vmware.events.raw`.
 *
 * @throws InvalidTopicNameError when `topic` is invalid or the result is longer than 249 characters.
 */
export function rawEventsTopic(topic: string = CANONICAL_TOPIC): string {
  return suffixed(topic, RAW_SUFFIX, 'raw events');
}

/**
 * The retry topic of one consumer group: `<topic>.retry.<groupId>`. A dead-letter replay (`vmware-events dlq replay
 * --to retry`) sends the records one group gave up on there, so that only this group runs them again: the group reads
 * it next to `<topic>`, the other groups of `<topic>` never see the records twice. Like any topic it has its own
 * dead-letter topic, `<topic>.retry.<groupId>.dlq`.
 *
 * @example retryTopic('vmware.events', 'billing') // 'vmware.events.retry.billing'
 * @throws InvalidTopicNameError when `topic` is invalid, the group id is not one segment (only `a-z A-Z 0-9 _ -`),
 *   or the result is longer than 249 characters.
 */
export function retryTopic(topic: string, groupId: string): string {
  assertTopicName(topic);
  return withinLimit(`${topic}.${RETRY_SEGMENT}.${checkSegment('consumer group', groupId, false)}`, 'retry');
}

/** The parts of a domain-event topic name (seed 002). */
export interface DomainTopicParts {
  /** Environment name, e.g. `bugfest` (the `ENV` variable). */
  environment: string;
  /** Tenant id, e.g. `fs09000000`. Second, so ACLs can use a prefix per environment and tenant. */
  tenant: string;
  /** Producer module name, e.g. `inventory` or `inventory-storage` (a `storage` postfix is dropped). */
  module: string;
  /** Domain entity in singular form, e.g. `instance` (or the process/event name for non-domain events). */
  entity: string;
}

/**
 * A domain-event topic `<ENV>.<tenant>.<module>.<entity>` (seed 002). A trailing `storage` on the module is dropped
 * together with a separator before it (`inventory-storage`, `inventory_storage` and `inventorystorage` all give
 * `inventory`). Making the entity singular is the caller's job: the SDK does not guess English plurals.
 *
 * @example domainTopic({ environment: 'bugfest', tenant: 'fs09000000', module: 'inventory-storage', entity: 'instance' })
 *   // 'bugfest.fs09000000.inventory.instance'
 * @throws InvalidTopicNameError naming the part that is empty, contains `.` or a character Kafka rejects.
 */
export function domainTopic(parts: DomainTopicParts): string {
  const environment = checkSegment('environment', parts.environment, false);
  const tenant = checkSegment('tenant', parts.tenant, false);
  const rawModule = checkSegment('module', parts.module, false);
  const module = rawModule.replace(/[-_]?storage$/i, '');
  if (module === '' || module === '-' || module === '_') {
    throw new InvalidTopicNameError(
      rawModule,
      `Invalid module "${rawModule}" for a domain topic: nothing is left after dropping the 'storage' postfix`,
    );
  }
  const entity = checkSegment('entity', parts.entity, false);
  return withinLimit(`${environment}.${tenant}.${module}.${entity}`, 'domain');
}

function withinLimit(name: string, what: string): string {
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicNameError(
      name,
      `The ${what} topic "${name.slice(0, 40)}…" would be ${name.length} characters long; Kafka allows at most ${MAX_TOPIC_NAME_LENGTH}`,
    );
  }
  return name;
}

function suffixed(topic: string, suffix: string, what: string): string {
  assertTopicName(topic);
  return withinLimit(`${topic}${suffix}`, what);
}

/** One segment of a topic name: valid Kafka characters and no `.` (which would split it into two segments). */
function checkSegment(part: string, value: unknown, reservedCheck: boolean): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidTopicNameError(
      String(value),
      `Invalid ${part} for a topic name: it must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  for (const char of value) {
    if (char === '.') {
      throw new InvalidTopicNameError(
        value,
        `Invalid ${part} "${printable(value)}" for a topic name: it must not contain '.', which separates the segments`,
      );
    }
    if (!LEGAL_CHAR.test(char)) {
      throw new InvalidTopicNameError(
        value,
        `Invalid ${part} "${printable(value)}" for a topic name: ${describeChar(char)} is not allowed; use only a-z A-Z 0-9 _ -`,
      );
    }
  }
  const reserved = value.toLowerCase() as (typeof RESERVED_TOPIC_SEGMENTS)[number];
  if (reservedCheck && RESERVED_TOPIC_SEGMENTS.includes(reserved)) {
    throw new InvalidTopicNameError(
      value,
      `Invalid ${part} "${value}" for a topic name: '${value}' is reserved (${RESERVED_MEANING[reserved]})`,
    );
  }
  return value;
}
