/**
 * The AsyncAPI 3 document of the SDK's wire contract: a channel per topic family (canonical, per environment, per
 * team, seed-002 domain topics, dead-letter and raw topics), a message per schema version with its payload and
 * header schemas, Kafka bindings with the record key, and the CloudEvents binary-mode headers. Everything that
 * comes from schemas/ is read from there (every family, every version); the rest comes from the SDK's constants.
 */
import { DLT_HEADERS } from '@org/vmware-events-consumer';
import type { DeadLetterReason } from '@org/vmware-events-consumer';
import {
  CANONICAL_TOPIC,
  DEAD_LETTER_SUFFIX,
  DELETE_ALL_KEY,
  DOMAIN_CLOUDEVENT_TYPE_PREFIX,
  DOMAIN_EVENT_TYPES,
  KEY_STRATEGIES,
  MAX_KEY_BYTES,
  EVENT_ID_NAMESPACE,
  RAW_SUFFIX,
  buildDomainEventHeaders,
  buildDomainEventKey,
  buildEventHeaders,
  uuidV5,
} from '@org/vmware-events-schema';
import type { DomainEvent, VmOperationEvent } from '@org/vmware-events-schema';
import type { JsonSchema } from '../../packages/schema/scripts/lib/schemas.js';
import { readSchemaFamilies } from './schemas.js';
import type { EmbeddedSchema } from './schemas.js';

const KAFKA_BINDING = '0.5.0';
const ref = (path: string) => ({ $ref: path });
const schemaRef = (key: string) => ref(`#/components/schemas/${key}`);
const messageRef = (key: string) => ref(`#/components/messages/${key}`);
const latest = <T>(list: readonly T[]): T => list[list.length - 1]!;

/** What each dead-letter header carries (every header the consumer writes must be described here). */
const DEAD_LETTER_HEADERS: Record<keyof typeof DLT_HEADERS, string> = {
  exceptionFqcn: 'Class (name) of the error that sent the record here.',
  exceptionCauseFqcn: 'Class (name) of that error’s cause, when it had one.',
  exceptionMessage: 'The error message (at most 2,000 characters; never the event data).',
  originalTopic: 'Topic the record was read from.',
  originalPartition: 'Its partition: a 4-byte big-endian integer (Spring Kafka compatible).',
  originalOffset: 'Its offset: an 8-byte big-endian integer.',
  originalTimestamp: 'Its timestamp (ms since the epoch): an 8-byte big-endian integer.',
  originalTimestampType: '`CREATE_TIME`.',
  originalConsumerGroup: 'The consumer group that gave up on it.',
  reason: 'Why, one of the reasons below.',
  attempts: 'Handler calls made before giving up (0 when the handler never ran), as decimal text.',
  errorCode: 'The SDK error code, when the error had one (e.g. `SCHEMA_VALIDATION`).',
};

const DEAD_LETTER_REASONS: Record<DeadLetterReason, string> = {
  DECODE_ERROR: 'the value is not UTF-8 JSON',
  SCHEMA_VALIDATION: 'the value is not a valid event of a supported schema version',
  TENANT_MISMATCH: 'the headers name another tenant or environment than the value',
  HANDLER_FATAL: 'the handler said retrying cannot help',
  RETRIES_EXHAUSTED: 'the handler failed on every attempt',
};

function domainHeaders(eventHeaders: EmbeddedSchema): JsonSchema {
  const schema = structuredClone(eventHeaders.schema) as JsonSchema & {
    properties: Record<string, JsonSchema>;
    required: string[];
  };
  const types = DOMAIN_EVENT_TYPES.map((t) => t.toLowerCase()).join('|');
  schema.title = 'DomainEventHeaders';
  schema.description =
    'The Kafka record headers of a domain event: the same CloudEvents binary-mode headers as a VM operation event, with the domain event type. `X-Okapi-Url` and `X-Okapi-Tenant` (seed 002) may be copied from the request.';
  schema.properties.operationType = {
    ...schema.properties.operationType,
    enum: [...DOMAIN_EVENT_TYPES],
    description: '`type` of the value.',
  };
  schema.properties.ce_type = {
    type: 'string',
    description: `CloudEvents \`type\`: \`${DOMAIN_CLOUDEVENT_TYPE_PREFIX}<type, lower case>.v1\`.`,
    pattern: `^${DOMAIN_CLOUDEVENT_TYPE_PREFIX.replaceAll('.', '\\.')}(${types})\\.v1$`,
  };
  schema.properties.ce_subject = {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    description: 'CloudEvents `subject`, when the producer sets one (the entity id).',
  };
  schema.required = schema.required.filter((name) => name !== 'ce_subject');
  return schema;
}

const keySchemas = {
  'vm-operation-event-key': {
    type: 'string',
    description: `The record key decides the partition, so every event of one VM lands on one partition, in order. One strategy per topic: ${KEY_STRATEGIES.map((s) => `\`${s}\``).join(', ')} (default \`vmId\`; the env/tenant strategies join with \`.\`; \`hash\` is a digest of env, tenant and VM). At most ${MAX_KEY_BYTES} UTF-8 bytes. Partitioned like the Java client (murmur2).`,
    minLength: 1,
    examples: ['vm-12345', 'PROD.tenantA.vm-12345'],
  },
  'domain-event-key': {
    type: 'string',
    description: `The id of the entity (\`new.id\`, or \`old.id\` for DELETE); \`${DELETE_ALL_KEY}\` for DELETE_ALL (seed 002).`,
    minLength: 1,
    examples: ['a1b2c3', DELETE_ALL_KEY],
  },
  'dead-letter-key': { description: 'The key of the original record, unchanged (bytes).' },
  'raw-event-key': {
    type: 'string',
    description:
      'The VM’s managed object id when the vCenter event names a VM, else the vCenter instance UUID.',
  },
};

const deadLetterHeaders: JsonSchema = {
  title: 'DeadLetterHeaders',
  description: `The headers of the original record (dead-letter headers of an earlier trip replaced), plus these (Spring Kafka's \`kafka_dlt-*\` and the SDK's \`x-dlt-*\`). Reasons: ${Object.entries(
    DEAD_LETTER_REASONS,
  )
    .map(([r, why]) => `\`${r}\` (${why})`)
    .join(', ')}.`,
  type: 'object',
  required: [
    DLT_HEADERS.originalTopic,
    DLT_HEADERS.originalPartition,
    DLT_HEADERS.originalOffset,
    DLT_HEADERS.reason,
  ],
  properties: Object.fromEntries(
    Object.entries(DEAD_LETTER_HEADERS).map(([key, description]) => [
      DLT_HEADERS[key as keyof typeof DLT_HEADERS],
      key === 'reason'
        ? { type: 'string', enum: Object.keys(DEAD_LETTER_REASONS), description }
        : { description },
    ]),
  ),
};

const rawCloudEvent: JsonSchema = {
  title: 'RawVcenterEvent',
  description:
    'A vCenter event the bridge does not map to a VM operation, as a structured-mode CloudEvent (`content-type: application/cloudevents+json; charset=utf-8`). Not a contract like the canonical events: `data` is the vCenter event as the bridge read it.',
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: {
      type: 'string',
      description: 'Derived from (vCenter instance UUID, event key): a re-read event keeps its id.',
    },
    source: { type: 'string', description: 'The vCenter SDK URL.' },
    type: {
      type: 'string',
      description:
        '`com.vmware.vsphere.<event class>.v0` (for EventEx/ExtendedEvent, the eventTypeId), e.g. `com.vmware.vsphere.VmStartingEvent.v0`.',
    },
    subject: { type: 'string', description: 'The vCenter event class.' },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { const: 'application/json' },
    data: { type: 'object' },
  },
};

/** The whole document, as plain data (YAML-ready). */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const families = readSchemaFamilies();
  const vm = families.get('vm-operation-event')!;
  const domain = families.get('domain-event')!;
  const headers = latest(families.get('event-headers')!);

  const messages: Record<string, unknown> = {};
  const kafkaKey = (key: string) => ({ kafka: { key: schemaRef(key), bindingVersion: KAFKA_BINDING } });
  // Each example: a valid test vector of that version, with the headers the SDK's own builders write for it.
  const eventMessage = (
    s: EmbeddedSchema,
    headersKey: string,
    keyKey: string,
    headersOf: (payload: never, i: number) => unknown,
  ) => {
    messages[s.key] = {
      name: s.title,
      title: `${s.title} ${s.version}`,
      summary: `${s.name} schema version ${s.version} (${s.id}).`,
      contentType: 'application/json',
      headers: schemaRef(headersKey),
      payload: schemaRef(s.key),
      correlationId: {
        description: 'The correlationId header (the event id unless the producer set one).',
        location: '$message.header#/correlationId',
      },
      bindings: kafkaKey(keyKey),
      ...(s.examples.length === 0
        ? {}
        : {
            examples: s.examples.map((payload, i) => ({
              name: `example-${i + 1}`,
              headers: headersOf(payload as never, i),
              payload,
            })),
          }),
    };
  };
  for (const s of vm)
    eventMessage(s, headers.key, 'vm-operation-event-key', (payload: VmOperationEvent) =>
      buildEventHeaders(payload),
    );
  for (const s of domain) {
    eventMessage(s, 'domain-event-headers', 'domain-event-key', (payload: DomainEvent, i) =>
      buildDomainEventHeaders(payload, {
        environment: 'bugfest',
        source: 'urn:vmware-events:module:inventory',
        eventId: uuidV5(`${s.key}-example-${i + 1}`, EVENT_ID_NAMESPACE),
        time: '2025-01-19T09:00:00Z',
        subject: buildDomainEventKey(payload),
        contentVersion: s.version,
      }),
    );
  }
  messages['dead-letter'] = {
    name: 'DeadLetter',
    title: 'Dead-lettered record',
    summary:
      'A record the consumer could not process: its key and value bytes untouched, with why in the headers.',
    headers: schemaRef('dead-letter-headers'),
    payload: { description: 'The original record value, byte for byte (it may not be JSON at all).' },
    bindings: kafkaKey('dead-letter-key'),
  };
  messages['raw-vcenter-event'] = {
    name: 'RawVcenterEvent',
    title: 'Raw vCenter event',
    contentType: 'application/cloudevents+json; charset=utf-8',
    payload: schemaRef('raw-vcenter-event'),
    bindings: kafkaKey('raw-event-key'),
  };

  const vmMessages = Object.fromEntries(vm.map((s) => [s.key, messageRef(s.key)]));
  const domainMessages = Object.fromEntries(domain.map((s) => [s.key, messageRef(s.key)]));
  const param = (description: string, examples: string[]) => ({ description, examples });
  const channels = {
    canonical: {
      address: CANONICAL_TOPIC,
      title: 'Canonical VM operation events',
      description:
        'The one topic every VM operation event can go to (seed 000); environment and tenant travel in headers and/or the key.',
      messages: vmMessages,
      bindings: { kafka: { topic: CANONICAL_TOPIC, bindingVersion: KAFKA_BINDING } },
    },
    environment: {
      address: `${CANONICAL_TOPIC}.{environment}`,
      title: 'VM operation events of one environment',
      messages: vmMessages,
      parameters: {
        environment: param(
          'An environment name: one segment, case kept (`dlq`, `raw` and `retry` are reserved).',
          ['prod', 'DEV'],
        ),
      },
    },
    team: {
      address: `${CANONICAL_TOPIC}.{team}`,
      title: 'VM operation events of one team',
      description:
        'Environments and teams share the `vmware.events.<name>` namespace: a team is not named like an environment.',
      messages: vmMessages,
      parameters: {
        team: param('A team name: one segment (`dlq`, `raw` and `retry` are reserved).', ['billing']),
      },
    },
    domain: {
      address: '{environment}.{tenant}.{module}.{entity}',
      title: 'Domain events (seed 002)',
      description:
        'One topic per environment, tenant, producing module (a trailing `storage` dropped) and entity (singular).',
      messages: domainMessages,
      parameters: {
        environment: param('The ENV name.', ['bugfest']),
        tenant: param('The tenant id (second, so ACLs can use a prefix per environment and tenant).', [
          'fs09000000',
        ]),
        module: param('The producing module.', ['inventory']),
        entity: param('The entity, singular.', ['instance']),
      },
    },
    deadLetter: {
      address: `{topic}${DEAD_LETTER_SUFFIX}`,
      title: 'Dead-letter topics',
      description:
        'Where a consumer parks what it cannot process, with the reason; `vmware-events-dlq` lists and replays them.',
      messages: { 'dead-letter': messageRef('dead-letter') },
      parameters: { topic: param('The topic the records were read from.', [CANONICAL_TOPIC]) },
    },
    raw: {
      address: `{topic}${RAW_SUFFIX}`,
      title: 'Raw vCenter events',
      description:
        'What the vCenter bridge reads but does not map to a VM operation (its BRIDGE_UNMAPPED=raw).',
      messages: { 'raw-vcenter-event': messageRef('raw-vcenter-event') },
      parameters: { topic: param('The VM operation topic the bridge publishes to.', [CANONICAL_TOPIC]) },
    },
  };
  const operation = (action: 'send' | 'receive', channel: keyof typeof channels, summary: string) => ({
    action,
    channel: ref(`#/channels/${channel}`),
    summary,
  });
  const operations = {
    publishVmOperationEvents: operation(
      'send',
      'canonical',
      'Producers (createProducer, the vCenter bridge) publish VM operation events.',
    ),
    consumeVmOperationEvents: operation(
      'receive',
      'canonical',
      'Consumers (createConsumer) process them: dedup by event id, stale discard by vCenter key.',
    ),
    publishEnvironmentEvents: operation('send', 'environment', 'Publish to an environment topic.'),
    consumeEnvironmentEvents: operation('receive', 'environment', 'Consume an environment topic.'),
    publishTeamEvents: operation('send', 'team', 'Publish to a team topic.'),
    consumeTeamEvents: operation('receive', 'team', 'Consume a team topic.'),
    publishDomainEvents: operation(
      'send',
      'domain',
      'A module publishes a change of one of its entities (publishDomainEvent).',
    ),
    consumeDomainEvents: operation('receive', 'domain', 'Consume the domain events of a module.'),
    deadLetterRecords: operation(
      'send',
      'deadLetter',
      'The consumer dead-letters a record it cannot process.',
    ),
    readDeadLetters: operation('receive', 'deadLetter', 'vmware-events-dlq lists and replays dead letters.'),
    publishRawEvents: operation('send', 'raw', 'The vCenter bridge publishes events it does not map.'),
  };

  const schemas: Record<string, unknown> = {};
  for (const family of families.values()) for (const s of family) schemas[s.key] = s.schema;
  Object.assign(schemas, keySchemas, {
    'domain-event-headers': domainHeaders(headers),
    'dead-letter-headers': deadLetterHeaders,
    'raw-vcenter-event': rawCloudEvent,
  });

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'VMware operation events',
      version: latest(vm).version,
      description: [
        'VM lifecycle events (create, resize, power on/off, delete …) on Apache Kafka, as the TypeScript SDK',
        'writes and reads them. Values are JSON (the schemas of `schemas/`, one message per schema version);',
        'headers repeat the envelope and are the CloudEvents Kafka binding in binary mode (`ce_*` and',
        '`content-type`), so any CloudEvents reader sees a CloudEvent whose data is the event.',
        'Generated from the schemas by scripts/asyncapi/generate.ts.',
      ].join(' '),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
}
