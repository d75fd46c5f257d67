/**
 * Validation of VM operation events, domain events and event headers with the validators precompiled
 * from schemas/ at build time (src/generated/): nothing is compiled at import time or per call.
 *
 * A VM operation event is validated by the schema version it declares in `schemaVersion`:
 * - a version this SDK knows → that version's validator, strictly (unknown properties are errors);
 * - the same major and a newer minor → the latest known minor of that major, leniently: unknown properties
 *   (added by the newer minor) are ignored, every known property is still validated;
 * - another major → a single issue at `/schemaVersion`;
 * - a missing or malformed version → the current version's validator, which reports it at `/schemaVersion`
 *   together with every other problem.
 */
import type { ErrorObject } from 'ajv';
import { EventDecodeError, SchemaValidationError, type ValidationIssue } from './errors.js';
import {
  CURRENT_SCHEMA_VERSION,
  DOMAIN_EVENT_TYPES,
  OPERATIONS,
  RESOURCE_OPERATIONS,
  VM_OPERATION_EVENT_VERSIONS,
} from './generated/constants.js';
import type { DomainEvent } from './generated/domain-event.types.js';
import type { EventHeaders } from './generated/event-headers.types.js';
import type {
  ResourceOperation,
  ResourceOperationEvent,
  StateOperationEvent,
  VmOperationEvent,
} from './generated/vm-operation-event.types.js';
import {
  domainEventValidators,
  eventHeadersValidators,
  vmOperationEventValidators,
} from './generated/validators.js';
import type { CompiledValidator } from './validation-types.js';

/** Every operation a VM operation event can report (`create`, `delete`, …, see {@link OPERATIONS}). */
export type Operation = (typeof OPERATIONS)[number];

/** What happened: `operationInfo` of a VM operation event (its `operation` decides whether `vmData` is required). */
export type OperationInfo = VmOperationEvent['operationInfo'];

/** The kind of a domain event: `CREATE`, `UPDATE`, `DELETE` or `DELETE_ALL`. */
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/**
 * The event type for one operation, e.g. `VmOperationEventOf<'create'>` has a required, complete `vmData`.
 * (TypeScript does not narrow a union through the nested `operationInfo.operation`; use this or
 * {@link isResourceOperationEvent}.)
 */
export type VmOperationEventOf<TOperation extends Operation> = (TOperation extends ResourceOperation
  ? ResourceOperationEvent
  : StateOperationEvent) & { operationInfo: { operation: TOperation } };

/** The outcome of a validation: the value, typed, or every problem found. */
export type ValidationResult<T> = { valid: true; value: T } | { valid: false; issues: ValidationIssue[] };

/** Versions of `vm-operation-event` this SDK has an exact validator for (oldest first); newer minors of a known major are validated leniently. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = VM_OPERATION_EVENT_VERSIONS;

/** True when the event is a create or resize event, which always carries a complete `vmData`. */
export function isResourceOperationEvent(event: VmOperationEvent): event is ResourceOperationEvent {
  return RESOURCE_OPERATION_SET.has(event.operationInfo.operation);
}

// --- vm-operation-event -------------------------------------------------------------------------

interface VmValidatorPair {
  /** For create and resize. */
  readonly resource: CompiledValidator;
  /** For every other operation, and for an unknown or missing operation. */
  readonly state: CompiledValidator;
  /** Name of the schema for error messages, e.g. `vm-operation-event@1.0`. */
  readonly schema: string;
}

const RESOURCE_OPERATION_SET: ReadonlySet<unknown> = new Set<unknown>(RESOURCE_OPERATIONS);
const OPERATION_SET: ReadonlySet<unknown> = new Set<unknown>(OPERATIONS);
const VERSION_FORMAT = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

const exactVm = new Map<unknown, VmValidatorPair>();
const lenientVmByMajor = new Map<number, { minor: number; version: string; pair: VmValidatorPair }>();
for (const [version, module] of Object.entries(vmOperationEventValidators)) {
  exactVm.set(version, {
    resource: module.resource,
    state: module.state,
    schema: `vm-operation-event@${version}`,
  });
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const known = lenientVmByMajor.get(major);
  if ((known === undefined || minor > known.minor) && 'resourceLenient' in module) {
    lenientVmByMajor.set(major, {
      minor,
      version,
      pair: {
        resource: module.resourceLenient,
        state: module.stateLenient,
        schema: `vm-operation-event@${version}`,
      },
    });
  }
}
const currentVm = exactVm.get(CURRENT_SCHEMA_VERSION)!;

/** Cache of lenient pairs per newer version string, so each declared version is resolved once. */
const newerVm = new Map<string, VmValidatorPair | ValidationIssue>();

function selectVmValidators(schemaVersion: unknown): VmValidatorPair | ValidationIssue {
  const exact = exactVm.get(schemaVersion);
  if (exact !== undefined) return exact;
  if (typeof schemaVersion !== 'string') return currentVm;
  const cached = newerVm.get(schemaVersion);
  if (cached !== undefined) return cached;
  // Bounded: the version ends up in messages and in the cache, and it comes from the wire.
  const match = schemaVersion.length <= 11 ? VERSION_FORMAT.exec(schemaVersion) : null;
  if (match === null) return currentVm; // malformed: the schema's pattern reports it with everything else
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const latest = lenientVmByMajor.get(major);
  let selected: VmValidatorPair | ValidationIssue;
  if (latest === undefined) {
    const majors = [...lenientVmByMajor.keys()].map((m) => `${m}.x`).join(', ');
    selected = {
      path: '/schemaVersion',
      keyword: 'schemaVersion',
      message: `unsupported schema version '${schemaVersion}': this SDK reads vm-operation-event ${majors}; upgrade @org/vmware-events-schema to read major ${major}`,
      params: { schemaVersion, supportedMajors: [...lenientVmByMajor.keys()] },
    };
  } else if (minor > latest.minor) {
    selected = {
      ...latest.pair,
      schema: `vm-operation-event@${latest.version} (lenient: event declares ${schemaVersion})`,
    };
  } else {
    // An older minor of a known major that has no schema file cannot have been released: validate strictly.
    selected = latest.pair;
  }
  if (newerVm.size < 64) newerVm.set(schemaVersion, selected);
  return selected;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `operationInfo.operation` of a value, if it has one (the discriminator of the two variants). */
function operationOf(value: unknown): unknown {
  const operationInfo = isRecord(value) ? value.operationInfo : undefined;
  return isRecord(operationInfo) ? operationInfo.operation : undefined;
}

/** The variant's validator for an operation: resource for create and resize, state for everything else. */
function variantFor(
  pair: { readonly resource: CompiledValidator; readonly state: CompiledValidator },
  operation: unknown,
): CompiledValidator {
  return RESOURCE_OPERATION_SET.has(operation) ? pair.resource : pair.state;
}

function validateVm(value: unknown): { ok: true } | { ok: false; schema: string; issues: ValidationIssue[] } {
  const schemaVersion = isRecord(value) ? value.schemaVersion : undefined;
  const selected = selectVmValidators(schemaVersion);
  if (!('resource' in selected)) return { ok: false, schema: 'vm-operation-event', issues: [selected] };
  const operation = operationOf(value);
  const validator = variantFor(selected, operation);
  if (validator(value)) return { ok: true };
  const issues = toIssues(validator.errors);
  if (!OPERATION_SET.has(operation)) {
    // The state variant only lists the state operations: name every operation instead.
    widenEnum(issues, '/operationInfo/operation', OPERATIONS);
  }
  return { ok: false, schema: selected.schema, issues };
}

/**
 * Validate a VM operation event (already parsed from JSON) against the schema version it declares.
 * Never throws; on failure `issues` lists every problem with its JSON path.
 */
export function validateVmOperationEvent(value: unknown): ValidationResult<VmOperationEvent> {
  const result = validateVm(value);
  return result.ok
    ? { valid: true, value: value as VmOperationEvent }
    : { valid: false, issues: result.issues };
}

const trustedEnvelopeVm = {
  resource: vmOperationEventValidators[CURRENT_SCHEMA_VERSION].resourceTrustedEnvelope,
  state: vmOperationEventValidators[CURRENT_SCHEMA_VERSION].stateTrustedEnvelope,
};

/**
 * For producers: validates an event of the current schema version ({@link CURRENT_SCHEMA_VERSION}) whose envelope
 * values (the ones that also travel as headers) the producer vouches for, skipping only the pattern and format checks
 * of those values: `eventId` from {@link randomEventId} or {@link deriveEventId}, `correlationId` equal to it,
 * `operationInfo.timestamp` from `Date.prototype.toISOString` (years 0–9999), and a `source`, an
 * `operationInfo.environment` and an `operationInfo.tenantId` that (as the same strings) passed
 * {@link validateVmOperationEvent} before. Their presence, types and lengths, and everything else, are checked as by
 * {@link validateVmOperationEvent}; an event that fails gets exactly its issues. Any other event (another schema
 * version, not an object) is validated by {@link validateVmOperationEvent}. A value nobody vouches for must not go
 * through this function: use {@link validateVmOperationEvent}.
 */
export function validateVmOperationEventTrustingEnvelope(value: unknown): ValidationResult<VmOperationEvent> {
  if (isRecord(value) && value.schemaVersion === CURRENT_SCHEMA_VERSION) {
    if (variantFor(trustedEnvelopeVm, operationOf(value))(value)) {
      return { valid: true, value: value as unknown as VmOperationEvent };
    }
  }
  return validateVmOperationEvent(value);
}

/** Throw a {@link SchemaValidationError} listing every problem unless `value` is a valid VM operation event. */
export function assertVmOperationEvent(value: unknown): asserts value is VmOperationEvent {
  const result = validateVm(value);
  if (!result.ok) throw new SchemaValidationError(result.schema, result.issues);
}

/**
 * Decode (UTF-8), parse (JSON) and validate a VM operation event, e.g. a Kafka record value.
 * Throws {@link EventDecodeError} (`INVALID_JSON`) when the bytes are not JSON, {@link SchemaValidationError} when
 * the JSON is not a valid event.
 */
export function parseVmOperationEvent(bytes: string | Uint8Array): VmOperationEvent {
  const value = decodeJson(bytes, 'vm-operation-event');
  assertVmOperationEvent(value);
  return value;
}

// --- domain-event -------------------------------------------------------------------------------

const currentDomain = domainEventValidators['1.0'];
const DOMAIN_SCHEMA = 'domain-event@1.0';
const domainByType = new Map<unknown, CompiledValidator>([
  ['CREATE', currentDomain.CREATE],
  ['UPDATE', currentDomain.UPDATE],
  ['DELETE', currentDomain.DELETE],
  ['DELETE_ALL', currentDomain.DELETE_ALL],
]);

function validateDomain(value: unknown): ValidationIssue[] | null {
  const type = isRecord(value) ? value.type : undefined;
  const validator = domainByType.get(type);
  if (validator !== undefined) return validator(value) ? null : toIssues(validator.errors);
  // Unknown or missing type: report it, and the tenant, without guessing which variant was meant.
  const fallback = currentDomain.DELETE_ALL;
  if (fallback(value)) return null; // unreachable: DELETE_ALL requires a known type
  const issues = toIssues(fallback.errors).filter(
    (issue) => issue.path !== '/type' && issue.path !== '/old' && issue.path !== '/new',
  );
  if (isRecord(value)) {
    issues.unshift(
      type === undefined
        ? {
            path: '/type',
            keyword: 'required',
            message: "must have required property 'type'",
            params: { missingProperty: 'type' },
          }
        : {
            path: '/type',
            keyword: 'enum',
            message: `must be one of: ${DOMAIN_EVENT_TYPES.join(', ')}`,
            params: { allowedValues: DOMAIN_EVENT_TYPES },
          },
    );
  }
  return issues;
}

/** Validate a domain event (`{old, new, type, tenant}`, seed 002). Never throws. */
export function validateDomainEvent(value: unknown): ValidationResult<DomainEvent> {
  const issues = validateDomain(value);
  return issues === null ? { valid: true, value: value as DomainEvent } : { valid: false, issues };
}

/** Throw a {@link SchemaValidationError} listing every problem unless `value` is a valid domain event. */
export function assertDomainEvent(value: unknown): asserts value is DomainEvent {
  const issues = validateDomain(value);
  if (issues !== null) throw new SchemaValidationError(DOMAIN_SCHEMA, issues);
}

/** Decode, parse and validate a domain event. Throws {@link EventDecodeError} or {@link SchemaValidationError}. */
export function parseDomainEvent(bytes: string | Uint8Array): DomainEvent {
  const value = decodeJson(bytes, 'domain-event');
  assertDomainEvent(value);
  return value;
}

// --- event-headers ------------------------------------------------------------------------------

const headersValidator = eventHeadersValidators['1.0'].headers;
const CE_TYPE = /^com\.vmware\.events\.vm\.([a-z_]+)\.v([1-9][0-9]*)$/;

/**
 * Validate decoded record headers (header name → UTF-8 string) against `event-headers` v1, and check that the
 * repeated values agree (`ce_id` = `eventId`, `ce_type` names `operationType` and the major of `contentVersion`).
 * Never throws.
 */
export function validateEventHeaders(value: unknown): ValidationResult<EventHeaders> {
  if (!headersValidator(value)) return { valid: false, issues: toIssues(headersValidator.errors) };
  const headers = value as EventHeaders;
  const issues: ValidationIssue[] = [];
  if (headers.ce_id !== headers.eventId) {
    issues.push({
      path: '/ce_id',
      keyword: 'consistency',
      message: `must equal the eventId header ('${headers.eventId}')`,
      params: { expected: headers.eventId },
    });
  }
  const ceType = CE_TYPE.exec(headers.ce_type);
  const expected = `com.vmware.events.vm.${headers.operationType}.v${headers.contentVersion.split('.')[0]}`;
  if (ceType === null || headers.ce_type !== expected) {
    issues.push({
      path: '/ce_type',
      keyword: 'consistency',
      message: `must be '${expected}' (operationType and the major of contentVersion)`,
      params: { expected },
    });
  }
  return issues.length === 0 ? { valid: true, value: headers } : { valid: false, issues };
}

// --- shared -------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(bytes: string | Uint8Array, what: string): unknown {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    try {
      text = utf8.decode(bytes);
    } catch (cause) {
      throw new EventDecodeError(`Cannot decode ${what}: the bytes are not valid UTF-8`, { cause });
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new EventDecodeError(`Cannot decode ${what}: not valid JSON (${reason})`, { cause });
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Turn ajv errors into issues whose path points at the offending value (for a missing property: where it belongs). */
function toIssues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  if (!errors) return [];
  return errors.map((error): ValidationIssue => {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required': {
        const property = String(params.missingProperty);
        return {
          path: `${error.instancePath}/${escapePointer(property)}`,
          keyword: 'required',
          message: `must have required property '${property}'`,
          params,
        };
      }
      case 'additionalProperties': {
        const property = String(params.additionalProperty);
        return {
          path: `${error.instancePath}/${escapePointer(property)}`,
          keyword: 'additionalProperties',
          message: `unknown property '${property}' is not allowed here`,
          params,
        };
      }
      case 'enum':
        return {
          path: error.instancePath,
          keyword: 'enum',
          message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`,
          params,
        };
      case 'const':
        return {
          path: error.instancePath,
          keyword: 'const',
          message: `must be '${String(params.allowedValue)}'`,
          params,
        };
      default:
        return {
          path: error.instancePath,
          keyword: error.keyword,
          message: error.message ?? `must pass '${error.keyword}'`,
          params,
        };
    }
  });
}

function widenEnum(issues: ValidationIssue[], path: string, allowed: readonly string[]): void {
  for (let i = 0; i < issues.length; i++) {
    const issue = issues[i]!;
    if (issue.path === path && issue.keyword === 'enum') {
      issues[i] = {
        ...issue,
        message: `must be one of: ${allowed.join(', ')}`,
        params: { allowedValues: allowed },
      };
    }
  }
}
