/**
 * What `vmware-events tail` does with one record: decode it with the schema package's record codec (the consumer's
 * decoding, exactly), decide whether the filters keep it, and print it, pretty or as one JSON line. A record that does
 * not decode is kept and shown with the reason, never dropped: the filters read what they can of it (its JSON, or
 * the SDK's headers) and keep it when they cannot tell.
 */
import { HEADER_NAMES, decodeRecord, isVmwEventsError } from '@org/vmware-events-schema';
import type { KafkaHeaders, ValidationIssue, VmOperationEvent } from '@org/vmware-events-schema';

/** A record as read from Kafka (the kafkajs message fields tail uses). */
export interface TailInput {
  topic: string;
  partition: number;
  offset: string;
  /** Milliseconds since the epoch, as kafkajs gives it (a decimal string). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: KafkaHeaders | undefined;
}

/** Why a record did not decode. */
export interface TailDecodeFailure {
  /** The SDK error code (`SCHEMA_VALIDATION`, `INVALID_JSON`, …), or the error's name. */
  code: string;
  message: string;
  /** Every schema problem, for a value that is JSON but not a valid event. */
  issues?: ValidationIssue[];
}

/** A record read by tail: the event, or why there is none. */
export interface TailRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's timestamp (ISO 8601). */
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** The validated event, when the record decodes. */
  event?: VmOperationEvent;
  /** Why it does not decode. */
  error?: TailDecodeFailure;
  /** The value when it does not decode: UTF-8 text, or base64 when it is not UTF-8; null for a tombstone. */
  value?: { text: string; encoding: 'utf8' | 'base64' } | null;
  /** What the filters read: from the event, else from the value's JSON, else from the SDK's headers. */
  fields: TailFields;
}

/** The fields the filters match, each undefined when the record does not say. */
export interface TailFields {
  environment: string | undefined;
  tenant: string | undefined;
  operation: string | undefined;
  vmId: string | undefined;
  vmName: string | undefined;
}

/** tail's filters: within a field any listed value matches, across fields all must. An empty list matches all. */
export interface TailFilter {
  environments: readonly string[];
  tenants: readonly string[];
  operations: readonly string[];
  /** A VM id or a VM name. */
  vms: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a record with the record codec; a failure is kept in the result, not thrown. */
export function readTailRecord(input: TailInput): TailRecord {
  const base = {
    topic: input.topic,
    partition: input.partition,
    offset: input.offset,
    timestamp: new Date(Number(input.timestamp)).toISOString(),
  };
  try {
    const decoded = decodeRecord({ key: input.key, value: input.value, headers: input.headers });
    const info = decoded.event.operationInfo;
    return {
      ...base,
      key: decoded.key,
      headers: decoded.headers,
      event: decoded.event,
      fields: {
        environment: info.environment,
        tenant: info.tenantId,
        operation: info.operation,
        vmId: info.vmId,
        vmName: info.vmName,
      },
    };
  } catch (error) {
    // The codec read the headers and key before the value failed; read them again the same way, without the value.
    const { key, headers } = decodeRecord(
      { key: input.key, value: null, headers: input.headers },
      () => null,
    );
    const value = describeValue(input.value);
    return {
      ...base,
      key,
      headers,
      error: failureOf(error),
      value,
      fields: fieldsOfUndecoded(value, headers),
    };
  }
}

function failureOf(error: unknown): TailDecodeFailure {
  const code = isVmwEventsError(error) ? error.code : error instanceof Error ? error.name : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  const issues = (error as { issues?: unknown }).issues;
  return Array.isArray(issues) ? { code, message, issues: issues as ValidationIssue[] } : { code, message };
}

function describeValue(value: Buffer | null): TailRecord['value'] {
  if (value === null) return null;
  try {
    return { text: utf8.decode(value), encoding: 'utf8' };
  } catch {
    return { text: value.toString('base64'), encoding: 'base64' };
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The fields of a record that did not decode: what its JSON says, else what the SDK's headers say. */
function fieldsOfUndecoded(value: TailRecord['value'], headers: Record<string, string>): TailFields {
  let info: Record<string, unknown> = {};
  if (value?.encoding === 'utf8') {
    try {
      const json = JSON.parse(value.text) as { operationInfo?: unknown };
      if (typeof json.operationInfo === 'object' && json.operationInfo !== null)
        info = json.operationInfo as Record<string, unknown>;
    } catch {
      // not JSON: the headers are all there is
    }
  }
  return {
    environment: text(info.environment) ?? headers[HEADER_NAMES.env],
    tenant: text(info.tenantId) ?? headers[HEADER_NAMES.tenant],
    operation: text(info.operation) ?? headers[HEADER_NAMES.operationType],
    vmId: text(info.vmId) ?? headers[HEADER_NAMES.ceSubject],
    vmName: text(info.vmName),
  };
}

/**
 * True when the filters keep the record. A field the record does not carry matches, so that a record that did not
 * decode is shown unless what it does say puts it outside the filters.
 */
export function matchesTailFilter(record: TailRecord, filter: TailFilter): boolean {
  const { fields } = record;
  const unknownOr = (values: readonly string[], value: string | undefined) =>
    values.length === 0 || value === undefined || values.includes(value);
  const vmKnown = fields.vmId !== undefined || fields.vmName !== undefined;
  return (
    unknownOr(filter.environments, fields.environment) &&
    unknownOr(filter.tenants, fields.tenant) &&
    unknownOr(filter.operations, fields.operation) &&
    (filter.vms.length === 0 ||
      !vmKnown ||
      filter.vms.some((vm) => vm === fields.vmId || vm === fields.vmName))
  );
}

const MAX_ISSUES = 5;
const MAX_VALUE_CHARS = 300;

/**
 * One record for a person: a line per event (`topic/partition@offset time operation env= tenant= vm= …`); a record
 * that did not decode gets `NOT DECODED`, the reason, its schema problems and the start of its value.
 */
export function formatTailRecord(record: TailRecord): string {
  const where = `${record.topic}/${record.partition}@${record.offset}`;
  if (record.event !== undefined) {
    const info = record.event.operationInfo;
    const parts = [
      where,
      info.timestamp,
      info.operation,
      `env=${info.environment}`,
      `tenant=${info.tenantId}`,
      `vm=${info.vmId}`,
      ...(info.vmName === undefined ? [] : [`name=${JSON.stringify(info.vmName)}`]),
      `user=${info.username}`,
      `id=${record.event.eventId}`,
    ];
    return `${parts.join('  ')}\n`;
  }
  const error = record.error!;
  const lines = [`${where}  ${record.timestamp}  NOT DECODED  ${error.code}: ${firstLine(error.message)}`];
  const issues = error.issues ?? [];
  for (const issue of issues.slice(0, MAX_ISSUES))
    lines.push(`    ${issue.path === '' ? '/' : issue.path}: ${issue.message}`);
  if (issues.length > MAX_ISSUES) lines.push(`    … ${issues.length - MAX_ISSUES} more`);
  const value =
    record.value === null || record.value === undefined
      ? '<none: a tombstone>'
      : record.value.encoding === 'base64'
        ? `<not UTF-8, base64> ${clip(record.value.text)}`
        : clip(record.value.text);
  lines.push(`    key=${record.key ?? '<none>'}  value=${value}`);
  return `${lines.join('\n')}\n`;
}

/** One record as a JSON line: position, time, key, headers, and `event` — or `error` with the raw `value`. */
export function tailRecordToJson(record: TailRecord): string {
  const { fields: _fields, ...shown } = record;
  return `${JSON.stringify(shown)}\n`;
}

function firstLine(message: string): string {
  const newline = message.indexOf('\n');
  return newline === -1 ? message : message.slice(0, newline);
}

function clip(value: string): string {
  return value.length > MAX_VALUE_CHARS
    ? `${value.slice(0, MAX_VALUE_CHARS)}… (${value.length} chars)`
    : value;
}
