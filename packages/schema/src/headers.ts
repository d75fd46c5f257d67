/**
 * Record headers: the seed-000 headers (`env`, `tenant`, `operationType`, `contentVersion`, `correlationId`) plus
 * `eventId`, and the CloudEvents Kafka binding in binary mode (`content-type` + `ce_*`), so CloudEvents tooling reads
 * our records as CloudEvents whose `data` is the VM operation event. Pure mapping functions, no client.
 */
import { InvalidHeaderError } from './errors.js';
import { randomEventId } from './event-id.js';
import type { DomainEvent } from './generated/domain-event.types.js';
import type { EventHeaders as EventHeadersSchema } from './generated/event-headers.types.js';
import type { VmOperationEvent } from './generated/vm-operation-event.types.js';
import { describeChar, findBadChar, printable } from './keys.js';

/** Every header name the SDK writes or reads. */
export const HEADER_NAMES = {
  env: 'env',
  tenant: 'tenant',
  operationType: 'operationType',
  contentVersion: 'contentVersion',
  correlationId: 'correlationId',
  eventId: 'eventId',
  contentType: 'content-type',
  ceSpecVersion: 'ce_specversion',
  ceId: 'ce_id',
  ceSource: 'ce_source',
  ceType: 'ce_type',
  ceTime: 'ce_time',
  ceSubject: 'ce_subject',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** One of the header names in {@link HEADER_NAMES}. */
export type HeaderName = (typeof HEADER_NAMES)[keyof typeof HEADER_NAMES];

/** The CloudEvents spec version written in `ce_specversion`. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** The content type of the record value: the event as JSON. */
export const EVENT_CONTENT_TYPE = 'application/json';

/** Prefix of the CloudEvents `type` of a VM operation event: `com.vmware.events.vm.<operation>.v<major>`. */
export const CLOUDEVENT_TYPE_PREFIX = 'com.vmware.events.vm.';

/** Prefix of the CloudEvents `type` of a domain event: `com.vmware.events.domain.<type>.v1` (type lower-cased). */
export const DOMAIN_CLOUDEVENT_TYPE_PREFIX = 'com.vmware.events.domain.';

/**
 * The SDK's headers of a VM operation event record, by header name (schema `event-headers` v1 without its
 * "any other header" index signature, so a value is a plain `Record<string, string>` for any Kafka client).
 */
export type EventHeaders = Pick<EventHeadersSchema, HeaderName>;

/**
 * The SDK's headers as read from a record: present or not, each a plain string. Not yet validated, so not typed as
 * {@link EventHeaders} (`operationType` could be any text): check them with `validateEventHeaders()` for that.
 */
export type ReadHeaders = Partial<Record<HeaderName, string>>;

/** Headers as Kafka clients hand them over (kafkajs `IHeaders`): bytes or strings, arrays when a name repeats. */
export type KafkaHeaders = Record<
  string,
  Buffer | Uint8Array | string | (Buffer | Uint8Array | string)[] | undefined
>;

/** What the header builders read of a {@link VmOperationEvent}. */
export type HeaderSourceEvent = Pick<
  VmOperationEvent,
  'schemaVersion' | 'eventId' | 'source' | 'correlationId'
> & {
  /** What happened. */
  operationInfo: Pick<
    VmOperationEvent['operationInfo'],
    'operation' | 'timestamp' | 'vmId' | 'environment' | 'tenantId'
  >;
};

/** W3C trace context to propagate (from OpenTelemetry's propagator). */
export interface TraceContext {
  /** W3C `traceparent`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  traceparent?: string;
  /** W3C `tracestate`, vendor-specific list. */
  tracestate?: string;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Whether a string is a W3C `traceparent` of version 00 (`00-<32 hex>-<16 hex>-<2 hex>`, lowercase) whose trace id
 * and parent id are not all zeros (the spec's invalid ids).
 */
export function isTraceparent(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TRACEPARENT.test(value) &&
    !value.startsWith('00-00000000000000000000000000000000-') &&
    !value.includes('-0000000000000000-')
  );
}

/**
 * The CloudEvents `type` of an operation: `com.vmware.events.vm.<operation>.v<major>`, the major taken from the
 * event's `schemaVersion` (so a consumer can route on the contract version without parsing the value).
 *
 * @example cloudEventType('power_on') // 'com.vmware.events.vm.power_on.v1'
 * @example cloudEventType('create', '2.3') // 'com.vmware.events.vm.create.v2'
 * @throws InvalidHeaderError when `schemaVersion` is not `MAJOR.MINOR`.
 */
export function cloudEventType(operation: string, schemaVersion = '1.0'): string {
  const major = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(schemaVersion)?.[1];
  if (major === undefined) {
    throw new InvalidHeaderError(
      HEADER_NAMES.contentVersion,
      `Schema version "${printable(String(schemaVersion))}" is not MAJOR.MINOR (e.g. 1.0)`,
    );
  }
  return `${CLOUDEVENT_TYPE_PREFIX}${operation}.v${major}`;
}

/** A CloudEvents attribute a binary-mode header carries. */
type CloudEventAttributeName = keyof CloudEventAttributes;

/** One header of a VM operation event record, as the header table describes it. */
interface HeaderField {
  /** The header name. */
  readonly name: HeaderName;
  /** Its value, read from the event. */
  readonly value: (event: HeaderSourceEvent) => string;
  /**
   * Whether the value goes through the header check (non-empty, no control characters): false only for constants
   * and for values made of an already checked one (`ce_id` is `eventId`, `ce_type` names `operationType`).
   */
  readonly checked: boolean;
  /**
   * Whether the value usually repeats from record to record (environment, tenant, operation, version, source, type,
   * VM id), so that a {@link HeaderValueCache} keeps its checked bytes; values new with every event do not.
   */
  readonly repeats: boolean;
  /** The CloudEvents attribute the header carries in binary mode. */
  readonly attribute?: CloudEventAttributeName;
  /** A CloudEvents reader needs it (specversion, id, source, type). */
  readonly required?: true;
}

/**
 * The header table: every header of a VM operation event record in the order it is written, where its value comes
 * from, and the CloudEvents attribute it carries. It drives both directions: {@link buildEventHeaders} and
 * {@link toCloudEvent} write from it, {@link readEventHeaders} and {@link fromCloudEventHeaders} read by it.
 * (`traceparent` and `tracestate` follow when given.)
 */
const EVENT_HEADER_TABLE: readonly HeaderField[] = [
  { name: 'env', value: (e) => e.operationInfo.environment, checked: true, repeats: true },
  { name: 'tenant', value: (e) => e.operationInfo.tenantId, checked: true, repeats: true },
  { name: 'operationType', value: (e) => e.operationInfo.operation, checked: true, repeats: true },
  { name: 'contentVersion', value: (e) => e.schemaVersion, checked: true, repeats: true },
  { name: 'correlationId', value: (e) => e.correlationId, checked: true, repeats: false },
  { name: 'eventId', value: (e) => e.eventId, checked: true, repeats: false },
  {
    name: 'content-type',
    value: () => EVENT_CONTENT_TYPE,
    checked: false,
    repeats: true,
    attribute: 'datacontenttype',
  },
  {
    name: 'ce_specversion',
    value: () => CLOUDEVENTS_SPEC_VERSION,
    checked: false,
    repeats: true,
    attribute: 'specversion',
    required: true,
  },
  { name: 'ce_id', value: (e) => e.eventId, checked: false, repeats: false, attribute: 'id', required: true },
  {
    name: 'ce_source',
    value: (e) => e.source,
    checked: true,
    repeats: true,
    attribute: 'source',
    required: true,
  },
  {
    name: 'ce_type',
    value: (e) => cloudEventType(e.operationInfo.operation, e.schemaVersion),
    checked: false,
    repeats: true,
    attribute: 'type',
    required: true,
  },
  {
    name: 'ce_time',
    value: (e) => e.operationInfo.timestamp,
    checked: true,
    repeats: false,
    attribute: 'time',
  },
  {
    name: 'ce_subject',
    value: (e) => e.operationInfo.vmId,
    checked: true,
    repeats: true,
    attribute: 'subject',
  },
];

/** The fields of the table that carry a CloudEvents attribute. */
const CLOUDEVENT_FIELDS = EVENT_HEADER_TABLE.filter(
  (field): field is HeaderField & { attribute: CloudEventAttributeName } => field.attribute !== undefined,
);

/**
 * The headers of a VM operation event record (seed-000 headers, `eventId`, CloudEvents binary mode, trace context),
 * from the header table.
 *
 * @example producer.send({ topic, messages: [{ key, value: JSON.stringify(event), headers: buildEventHeaders(event) }] })
 * @throws InvalidHeaderError when a value is empty or contains a control character (CR/LF would split header lines
 *   in logs and HTTP bridges), or the trace context is not W3C.
 */
export function buildEventHeaders(event: HeaderSourceEvent, extra: TraceContext = {}): EventHeaders {
  return writeEventHeaders(event, extra, undefined) as EventHeaders;
}

/** The headers of a record as it goes to a Kafka client: values that repeat as shared UTF-8 bytes. */
export type WireHeaders = Record<string, string | Buffer>;

/**
 * Header values that passed the header check, kept as their UTF-8 bytes (bounded), so that a value seen before is
 * neither checked nor encoded to UTF-8 again: the same bytes go into every record that carries it. Only the values
 * the header table marks as repeating are kept (environment, tenant, operation, …, VM id), never those new with
 * every event.
 */
export class HeaderValueCache {
  private readonly bytes = new Map<string, Buffer>();
  /** @param maxValues how many values are kept; a value beyond them is checked every time. */
  constructor(private readonly maxValues = 4096) {}

  /** The checked bytes of `value` (checking it the first time, as the header named `name`). */
  wire(name: string, value: string): string | Buffer {
    const known = this.bytes.get(value);
    if (known !== undefined) return known;
    checkValue(name, value);
    if (this.bytes.size >= this.maxValues) return value;
    const bytes = Buffer.from(value, 'utf8');
    this.bytes.set(value, bytes);
    return bytes;
  }
}

/**
 * {@link buildEventHeaders}, with the repeating values as shared bytes when a cache is given (the same names, order
 * and text either way). The record codec's header path.
 */
export function writeEventHeaders(
  event: HeaderSourceEvent,
  extra: TraceContext,
  cache: HeaderValueCache | undefined,
): WireHeaders {
  const headers: WireHeaders = {};
  for (const field of EVENT_HEADER_TABLE) {
    const value = field.value(event);
    if (cache !== undefined && field.repeats) headers[field.name] = cache.wire(field.name, value);
    else headers[field.name] = field.checked ? checkValue(field.name, value) : value;
  }
  addTraceContext(headers, extra);
  return headers;
}

/** What the domain-event header builder reads of a {@link DomainEvent}: `type` and `tenant`. */
export type HeaderSourceDomainEvent = Pick<DomainEvent, 'type' | 'tenant'>;

/** What a domain event does not carry itself but its headers need. */
export interface DomainEventHeaderOptions extends TraceContext {
  /** Environment (the `ENV` variable). */
  environment: string;
  /** URI-reference of the emitting module, e.g. `urn:vmware-events:module:inventory`. */
  source: string;
  /** Event id; default: a fresh random UUID. */
  eventId?: string;
  /** Request/workflow id; default: the event id. */
  correlationId?: string;
  /** When the change happened (RFC 3339); default: now. */
  time?: string;
  /** CloudEvents `subject`, usually the record key (the entity id); omitted when not given. */
  subject?: string;
  /** Version of the domain-event schema; default `1.0`. */
  contentVersion?: string;
}

/**
 * The headers of a domain event record: `env`, `tenant`, `operationType` (the domain event `type`),
 * `contentVersion`, `correlationId`, `eventId` and CloudEvents binary mode with
 * `ce_type` = `com.vmware.events.domain.<type>.v1`.
 *
 * @throws InvalidHeaderError when a value is empty or contains a control character.
 */
export function buildDomainEventHeaders(
  event: HeaderSourceDomainEvent,
  options: DomainEventHeaderOptions,
): Record<string, string> {
  const eventId = checkValue(HEADER_NAMES.eventId, options.eventId ?? randomEventId());
  const headers: Record<string, string> = {
    env: checkValue(HEADER_NAMES.env, options.environment),
    tenant: checkValue(HEADER_NAMES.tenant, event.tenant),
    operationType: checkValue(HEADER_NAMES.operationType, event.type),
    contentVersion: checkValue(HEADER_NAMES.contentVersion, options.contentVersion ?? '1.0'),
    correlationId: checkValue(HEADER_NAMES.correlationId, options.correlationId ?? eventId),
    eventId,
    'content-type': EVENT_CONTENT_TYPE,
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    ce_id: eventId,
    ce_source: checkValue(HEADER_NAMES.ceSource, options.source),
    ce_type: `${DOMAIN_CLOUDEVENT_TYPE_PREFIX}${event.type.toLowerCase()}.v1`,
    ce_time: checkValue(HEADER_NAMES.ceTime, options.time ?? new Date().toISOString()),
  };
  if (options.subject !== undefined) headers.ce_subject = checkValue(HEADER_NAMES.ceSubject, options.subject);
  addTraceContext(headers, options);
  return headers;
}

/**
 * Decodes Kafka headers to strings (UTF-8). A header that appears more than once (an array in kafkajs) gives its
 * FIRST value: the SDK writes each header once, so a repeat was added later by someone else. Absent (`undefined`)
 * headers are left out. Bytes that are not UTF-8 become U+FFFD: binary headers from other tools (such as Spring's
 * 4-byte `kafka_dlt-original-partition`) are not text, read their raw bytes instead.
 */
export function decodeHeaders(headers: KafkaHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (headers === undefined) return decoded;
  for (const name of Object.keys(headers)) {
    const value = readHeader(headers, name);
    if (value !== undefined) decoded[name] = value;
  }
  return decoded;
}

/**
 * One header as UTF-8 text, as {@link decodeHeaders} reads it: the first value of a repeated header, undefined when
 * absent, U+FFFD for bytes that are not UTF-8.
 */
export function readHeader(headers: KafkaHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  return typeof value === 'string'
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/** The names {@link readEventHeaders} reads: the header table's, then the trace context. */
const EVENT_HEADER_NAMES: readonly HeaderName[] = [
  ...EVENT_HEADER_TABLE.map((field) => field.name),
  HEADER_NAMES.traceparent,
  HEADER_NAMES.tracestate,
];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the SDK's headers of a record (the names in {@link HEADER_NAMES}); headers that are absent stay absent and
 * other headers are ignored. Repeated headers give their first value.
 *
 * @throws InvalidHeaderError when one of the SDK's headers is not valid UTF-8 or contains a control character,
 *   so that a corrupt record goes to the dead-letter topic with this reason instead of being misread.
 */
export function readEventHeaders(headers: KafkaHeaders | undefined): ReadHeaders {
  const result: ReadHeaders = {};
  if (headers === undefined) return result;
  for (const name of EVENT_HEADER_NAMES) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    let text: string;
    if (typeof value === 'string') {
      text = value;
    } else {
      try {
        text = strictUtf8.decode(value);
      } catch (error) {
        throw new InvalidHeaderError(name, `Header '${name}' is not valid UTF-8`, { cause: error });
      }
    }
    const bad = findBadChar(text);
    if (bad !== undefined) {
      throw new InvalidHeaderError(name, `Header '${name}' contains ${describeChar(bad)}`);
    }
    result[name] = text;
  }
  return result;
}

/** The attributes of a CloudEvent (v1.0) without its data. */
export interface CloudEventAttributes {
  /** Always `1.0`. */
  specversion: string;
  /** Event id. */
  id: string;
  /** URI-reference of the emitter. */
  source: string;
  /** Event type, e.g. `com.vmware.events.vm.create.v1`. */
  type: string;
  /** RFC 3339 time of the occurrence. */
  time?: string;
  /** Subject within the source: the VM id. */
  subject?: string;
  /** Content type of `data`. */
  datacontenttype?: string;
}

/** A CloudEvent v1.0 in the JSON format (structured mode), carrying a VM operation event as `data`. */
export interface CloudEvent<TData> extends CloudEventAttributes {
  /** The VM operation event. */
  data: TData;
}

/**
 * The event as a CloudEvents v1.0 JSON object (structured mode, `application/cloudevents+json`), with the same
 * attributes the binary-mode headers carry.
 */
export function toCloudEvent<TEvent extends HeaderSourceEvent>(event: TEvent): CloudEvent<TEvent> {
  const attributes: Partial<Record<CloudEventAttributeName, string>> = {};
  for (const field of CLOUDEVENT_FIELDS) attributes[field.attribute] = field.value(event);
  return { ...(attributes as CloudEventAttributes), data: event };
}

/**
 * The CloudEvent attributes of a binary-mode record, from its `ce_*` and `content-type` headers.
 *
 * @throws InvalidHeaderError when `ce_specversion` is not `1.0` or `ce_id`, `ce_source` or `ce_type` is missing.
 */
export function fromCloudEventHeaders(headers: KafkaHeaders | undefined): CloudEventAttributes {
  const read = readEventHeaders(headers);
  if (read.ce_specversion !== CLOUDEVENTS_SPEC_VERSION) {
    throw new InvalidHeaderError(
      HEADER_NAMES.ceSpecVersion,
      read.ce_specversion === undefined
        ? `Header 'ce_specversion' is missing: the record is not a binary-mode CloudEvent`
        : `Header 'ce_specversion' is "${printable(read.ce_specversion)}"; only ${CLOUDEVENTS_SPEC_VERSION} is supported`,
    );
  }
  const attributes: Partial<Record<CloudEventAttributeName, string>> = {};
  for (const field of CLOUDEVENT_FIELDS) {
    const value = read[field.name];
    if (field.required && (value === undefined || value === '')) {
      throw new InvalidHeaderError(
        field.name,
        `Header '${field.name}' is required in a binary-mode CloudEvent`,
      );
    }
    if (value !== undefined) attributes[field.attribute] = value;
  }
  return attributes as CloudEventAttributes;
}

function addTraceContext(headers: Record<string, string | Buffer>, extra: TraceContext): void {
  if (extra.traceparent !== undefined) {
    if (!isTraceparent(extra.traceparent)) {
      throw new InvalidHeaderError(
        HEADER_NAMES.traceparent,
        `Header 'traceparent' "${printable(extra.traceparent)}" is not W3C trace context (00-traceid-parentid-flags, lowercase hex, non-zero ids)`,
      );
    }
    headers.traceparent = extra.traceparent;
  }
  if (extra.tracestate !== undefined && extra.tracestate !== '') {
    headers.tracestate = checkValue(HEADER_NAMES.tracestate, extra.tracestate);
  }
}

function checkValue<TValue extends string>(name: string, value: TValue): TValue {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidHeaderError(
      name,
      `Header '${name}' needs a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    );
  }
  const bad = findBadChar(value);
  if (bad !== undefined) {
    const why =
      bad === '\r' || bad === '\n' ? ' (a line break would split the header in logs and HTTP bridges)' : '';
    throw new InvalidHeaderError(name, `Header '${name}' contains ${describeChar(bad)}${why}`);
  }
  return value;
}
