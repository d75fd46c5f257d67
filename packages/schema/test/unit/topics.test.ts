import { describe, expect, it } from 'vitest';

import {
  CANONICAL_TOPIC,
  type InvalidTopicNameError,
  MAX_TOPIC_NAME_LENGTH,
  assertTopicName,
  deadLetterTopic,
  domainTopic,
  environmentTopic,
  isInvalidTopicNameError,
  rawEventsTopic,
  retryTopic,
  teamTopic,
  topicsCollide,
  validateTopicName,
} from '@org/vmware-events-schema';

function topicError(fn: () => unknown): InvalidTopicNameError {
  try {
    fn();
  } catch (error) {
    expect(isInvalidTopicNameError(error)).toBe(true);
    expect((error as InvalidTopicNameError).code).toBe('INVALID_TOPIC_NAME');
    expect((error as InvalidTopicNameError).name).toBe('InvalidTopicNameError');
    return error as InvalidTopicNameError;
  }
  throw new Error('expected an InvalidTopicNameError, nothing was thrown');
}

describe('topic names of the convention', () => {
  it('names the canonical topic vmware.events', () => {
    expect(CANONICAL_TOPIC).toBe('vmware.events');
  });

  it('builds per-environment and per-team topics under vmware.events, keeping the case', () => {
    expect(environmentTopic('prod')).toBe('vmware.events.prod');
    expect(environmentTopic('DEV')).toBe('vmware.events.DEV');
    expect(teamTopic('billing')).toBe('vmware.events.billing');
  });

  it('builds the dead-letter topic as <topic>.dlq', () => {
    expect(deadLetterTopic(CANONICAL_TOPIC)).toBe('vmware.events.dlq');
    expect(deadLetterTopic(environmentTopic('prod'))).toBe('vmware.events.prod.dlq');
  });

  it('builds the raw events topic as vmware.events.raw by default', () => {
    expect(rawEventsTopic()).toBe('vmware.events.raw');
    expect(rawEventsTopic('vmware.events.prod')).toBe('vmware.events.prod.raw');
  });

  it('rejects an environment containing a dot, which would add a segment', () => {
    const error = topicError(() => environmentTopic('eu.prod'));
    expect(error.topic).toBe('eu.prod');
    expect(error.message).toBe(
      `Invalid environment "eu.prod" for a topic name: it must not contain '.', which separates the segments`,
    );
  });

  it('rejects an empty team', () => {
    const error = topicError(() => teamTopic(''));
    expect(error.message).toBe(
      'Invalid team for a topic name: it must be a non-empty string, got an empty string',
    );
  });

  it('rejects a character Kafka does not allow, naming the part and the character', () => {
    const error = topicError(() => environmentTopic('pröd'));
    expect(error.message).toBe(
      `Invalid environment "pröd" for a topic name: 'ö' (U+00F6) is not allowed; use only a-z A-Z 0-9 _ -`,
    );
  });

  it.each(['dlq', 'raw', 'DLQ', 'retry'])(
    'rejects the reserved segment %s for an environment or team',
    (segment) => {
      const error = topicError(() => environmentTopic(segment));
      expect(error.message).toContain(`'${segment}' is reserved`);
      topicError(() => teamTopic(segment));
    },
  );

  it('rejects a per-environment topic longer than 249 characters', () => {
    const env = 'e'.repeat(MAX_TOPIC_NAME_LENGTH - 'vmware.events.'.length + 1);
    const error = topicError(() => environmentTopic(env));
    expect(error.message).toContain(`would be ${MAX_TOPIC_NAME_LENGTH + 1} characters long`);
    expect(environmentTopic(env.slice(1))).toHaveLength(MAX_TOPIC_NAME_LENGTH);
  });

  it('rejects a dead-letter topic whose name would pass 249 characters', () => {
    const topic = 't'.repeat(MAX_TOPIC_NAME_LENGTH - 2);
    const error = topicError(() => deadLetterTopic(topic));
    expect(error.message).toContain(`The dead-letter topic`);
    expect(error.message).toContain(`would be ${MAX_TOPIC_NAME_LENGTH + 2} characters long`);
  });

  it('rejects an invalid topic given to deadLetterTopic', () => {
    const error = topicError(() => deadLetterTopic('bad topic'));
    expect(error.message).toContain(`Invalid topic name "bad topic"`);
  });
});

describe('retryTopic', () => {
  it("names a consumer group's retry topic after its source topic, with its own dead-letter topic", () => {
    expect(retryTopic(CANONICAL_TOPIC, 'billing')).toBe('vmware.events.retry.billing');
    expect(retryTopic(environmentTopic('prod'), 'audit_v2')).toBe('vmware.events.prod.retry.audit_v2');
    expect(deadLetterTopic(retryTopic(CANONICAL_TOPIC, 'billing'))).toBe('vmware.events.retry.billing.dlq');
  });

  it('refuses a group id that is not one segment, naming it', () => {
    expect(topicError(() => retryTopic(CANONICAL_TOPIC, 'billing.v2')).message).toBe(
      `Invalid consumer group "billing.v2" for a topic name: it must not contain '.', which separates the segments`,
    );
    expect(topicError(() => retryTopic(CANONICAL_TOPIC, 'team a')).message).toContain(
      "' ' (U+0020) is not allowed",
    );
    expect(topicError(() => retryTopic('bad topic', 'billing')).message).toContain('Invalid topic name');
  });

  it('refuses a retry topic longer than 249 characters', () => {
    const group = 'g'.repeat(MAX_TOPIC_NAME_LENGTH - 'vmware.events.retry.'.length + 1);
    expect(topicError(() => retryTopic(CANONICAL_TOPIC, group)).message).toContain('The retry topic');
    expect(retryTopic(CANONICAL_TOPIC, group.slice(1))).toHaveLength(MAX_TOPIC_NAME_LENGTH);
  });
});

describe('domainTopic (seed 002)', () => {
  const bugfest = { environment: 'bugfest', tenant: 'fs09000000', entity: 'instance' };

  it('builds ENV.tenant.module.entity as in the seed example', () => {
    expect(domainTopic({ ...bugfest, module: 'inventory' })).toBe('bugfest.fs09000000.inventory.instance');
  });

  it.each(['inventory-storage', 'inventory_storage', 'inventorystorage', 'inventory-Storage'])(
    'drops the storage postfix of module %s',
    (module) => {
      expect(domainTopic({ ...bugfest, module })).toBe('bugfest.fs09000000.inventory.instance');
    },
  );

  it('keeps storage when it is not a postfix', () => {
    expect(domainTopic({ ...bugfest, module: 'storage-sync' })).toBe(
      'bugfest.fs09000000.storage-sync.instance',
    );
  });

  it('rejects a module that is only the storage postfix', () => {
    const error = topicError(() => domainTopic({ ...bugfest, module: '-storage' }));
    expect(error.message).toBe(
      `Invalid module "-storage" for a domain topic: nothing is left after dropping the 'storage' postfix`,
    );
  });

  it.each([
    ['environment', { ...bugfest, module: 'inventory', environment: '' }],
    ['tenant', { ...bugfest, module: 'inventory', tenant: 'fs.09' }],
    ['module', { ...bugfest, module: 'inv entory' }],
    ['entity', { ...bugfest, module: 'inventory', entity: 'instance/1' }],
  ])('names the offending %s', (part, parts) => {
    const error = topicError(() => domainTopic(parts));
    expect(error.message).toMatch(new RegExp(`^Invalid ${part} `));
  });
});

describe('validateTopicName and assertTopicName', () => {
  it('accepts names made of a-z A-Z 0-9 . _ -', () => {
    expect(validateTopicName('vmware.events_v2-DEV')).toEqual([]);
    expect(() => assertTopicName('vmware.events')).not.toThrow();
  });

  it('accepts a name of exactly 249 characters', () => {
    expect(validateTopicName('a'.repeat(249))).toEqual([]);
  });

  it.each([
    ['', 'a topic name must not be empty'],
    ['.', `a topic name must not be '.' or '..'`],
    ['..', `a topic name must not be '.' or '..'`],
    ['a'.repeat(250), 'it is 250 characters long; Kafka allows at most 249'],
    ['vmware events', `' ' (U+0020) at index 6 is not allowed; use only a-z A-Z 0-9 . _ -`],
    ['vmware/events', `'/' (U+002F) at index 6 is not allowed; use only a-z A-Z 0-9 . _ -`],
    ['vm\u0000', `the control character U+0000 at index 2 is not allowed; use only a-z A-Z 0-9 . _ -`],
  ])('rejects %j with the reason', (name, problem) => {
    expect(validateTopicName(name)).toEqual([problem]);
    const error = topicError(() => assertTopicName(name));
    expect(error.message).toContain(problem);
    expect(error.topic).toBe(name);
  });

  it('reports both the length and the bad character of a long name with a bad character', () => {
    expect(validateTopicName(`${'a'.repeat(250)}!`)).toHaveLength(2);
  });

  it('counts the index of a bad character in UTF-16 code units, like String.prototype.indexOf', () => {
    expect(validateTopicName('a😀b?')[0]).toContain('at index 1');
    expect(validateTopicName('😀b?')[0]).toContain(`'😀' (U+1F600) at index 0`);
  });

  it('rejects a name that is not a string', () => {
    expect(validateTopicName(42)).toEqual(['a topic name must be a string, got number']);
    expect(topicError(() => assertTopicName(undefined)).message).toBe(
      'Invalid topic name undefined: a topic name must be a string, got undefined',
    );
  });
});

describe('topicsCollide', () => {
  it('flags names that differ only by . versus _ (same Kafka metric name)', () => {
    expect(topicsCollide('vmware.events', 'vmware_events')).toBe(true);
    expect(topicsCollide('vmware.events.dlq', 'vmware_events.dlq')).toBe(true);
  });

  it('does not flag identical or genuinely different names', () => {
    expect(topicsCollide('vmware.events', 'vmware.events')).toBe(false);
    expect(topicsCollide('vmware.events', 'vmware-events')).toBe(false);
  });
});
