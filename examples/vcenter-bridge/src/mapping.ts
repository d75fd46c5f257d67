/**
 * vCenter event → canonical operation. Pure functions: the worker gathers what the events themselves do not say
 * (the VM's hardware and UUIDs, the task that began an event's chain, a clone in progress) and passes it in as
 * {@link MappingFacts}. The rules and the table in docs/bridge.md say the same; keep the two in step.
 *
 * A class is mapped by its own rule or, when it has none, by its nearest ancestor's in the vSphere API's class
 * hierarchy (src/generated/event-classes.ts): `VmRestartedOnAlternateHostEvent` is a `VmPoweredOnEvent`, so an HA
 * restart is a `power_on` even though the bridge never names that class for its operation. A `null` rule stops the
 * walk (the class is never mapped, whatever its ancestors are).
 */
import { CURRENT_SCHEMA_VERSION, deriveEventId } from '@org/vmware-events-schema';
import type { OperationDetail, VmData } from '@org/vmware-events-schema';
import { EVENT_CLASS_PARENTS } from './generated/event-classes.js';
import type { VmProperties } from './soap/client.js';
import type { CanonicalEvent, Operation, RawCloudEvent } from './types.js';
import type { VcenterEvent, VmRef } from './vcenter-event.js';

/** What an event class maps to: an operation (and what exactly happened), a decision by content, or nothing. */
export type EventRule =
  | { readonly operation: Operation; readonly detail?: OperationDetail }
  /** `VmReconfiguredEvent`: resize, rename or update, by what the configSpec changes. */
  | 'reconfigure'
  /** `TaskEvent`: by the task's `descriptionId` ({@link TASK_RULES}). */
  | 'task'
  /** `EventEx` / `ExtendedEvent`: by `eventTypeId` ({@link EVENT_TYPE_RULES}). */
  | 'event-type'
  | null;

/** Rules by vCenter event class; classes without one take their nearest ancestor's. */
export const EVENT_CLASS_RULES: Readonly<Record<string, EventRule>> = {
  VmCreatedEvent: { operation: 'create' },
  VmDeployedEvent: { operation: 'create', detail: 'template_deploy' },
  VmClonedEvent: { operation: 'clone' },
  VmRegisteredEvent: { operation: 'register' },
  VmRemovedEvent: { operation: 'delete' },
  VmPoweredOnEvent: { operation: 'power_on' },
  DrsVmPoweredOnEvent: { operation: 'power_on', detail: 'drs' },
  VmRestartedOnAlternateHostEvent: { operation: 'power_on', detail: 'ha_restart' },
  VmPoweredOffEvent: { operation: 'power_off' },
  VmPowerOffOnIsolationEvent: { operation: 'power_off', detail: 'ha_isolation_power_off' },
  VmShutdownOnIsolationEvent: { operation: 'power_off', detail: 'ha_isolation_shutdown' },
  VmSuspendedEvent: { operation: 'suspend' },
  VmResettingEvent: { operation: 'reset' },
  VmGuestRebootEvent: { operation: 'reset', detail: 'guest_reboot' },
  VmDasBeingResetEvent: { operation: 'reset', detail: 'ha_reset' },
  VmRenamedEvent: { operation: 'rename' },
  VmAutoRenameEvent: { operation: 'rename', detail: 'auto_rename' },
  VmMigratedEvent: { operation: 'migrate' },
  DrsVmMigratedEvent: { operation: 'migrate', detail: 'drs' },
  VmRelocatedEvent: { operation: 'migrate' },
  VmReconfiguredEvent: 'reconfigure',
  VmUuidChangedEvent: { operation: 'update', detail: 'bios_uuid_changed' },
  VmInstanceUuidChangedEvent: { operation: 'update', detail: 'instance_uuid_changed' },
  TaskEvent: 'task',
  // A task that timed out is not the task starting again.
  TaskTimeoutEvent: null,
  EventEx: 'event-type',
  ExtendedEvent: 'event-type',
};

/**
 * Snapshot tasks by `TaskEvent.info.descriptionId`. vCenter logs the TaskEvent when the task starts and writes no
 * event when a create or remove ends, so these say "requested", not "done" (see docs/bridge.md). A revert is taken
 * from the EventEx vCenter logs when it is done ({@link EVENT_TYPE_RULES}), so its task is not mapped (no double).
 */
export const TASK_RULES: Readonly<Record<string, { operation: Operation; detail: OperationDetail }>> = {
  'VirtualMachine.createSnapshot': { operation: 'snapshot', detail: 'snapshot_create' },
  'VirtualMachineSnapshot.remove': { operation: 'snapshot', detail: 'snapshot_remove' },
  'VirtualMachine.removeAllSnapshots': { operation: 'snapshot', detail: 'snapshot_remove_all' },
  'VirtualMachine.consolidateDisks': { operation: 'snapshot', detail: 'snapshot_consolidate' },
};

/** Extended events by `eventTypeId`. */
export const EVENT_TYPE_RULES: Readonly<Record<string, { operation: Operation; detail: OperationDetail }>> = {
  'com.vmware.vc.vm.VmStateRevertedToSnapshot': { operation: 'snapshot', detail: 'snapshot_revert' },
};

/** What a `VmRemovedEvent` was, by the task that began its chain. */
const REMOVAL_TASKS: Readonly<Record<string, OperationDetail>> = {
  'VirtualMachine.destroy': 'destroy',
  'VirtualMachine.unregister': 'unregister',
};

/** Operations whose canonical event must carry complete `vmData` (cpu, memoryMB, storageGB). */
export const OPERATIONS_NEEDING_HARDWARE: ReadonlySet<Operation> = new Set<Operation>(['create', 'resize']);

/** The rule of a class: its own, or its nearest ancestor's; undefined when no class up the chain has one. */
export function ruleOf(eventClass: string): { rule: EventRule; from: string } | undefined {
  for (let c: string | undefined = eventClass; c !== undefined; c = EVENT_CLASS_PARENTS[c]) {
    if (Object.hasOwn(EVENT_CLASS_RULES, c)) return { rule: EVENT_CLASS_RULES[c]!, from: c };
  }
  return undefined;
}

/** What a reconfiguration is: a resize when CPU, memory or a disk changed; a rename; otherwise an update. */
export function reconfigureOperation(event: VcenterEvent): Operation {
  const spec = event.configSpec;
  if (spec && (spec.numCPUs !== undefined || spec.memoryMB !== undefined || spec.diskChanges > 0))
    return 'resize';
  if (spec?.name !== undefined && spec.name !== '') return 'rename';
  return 'update';
}

/** An event's verdict before facts: the operation, what exactly happened, and the VM it is about. */
export interface Classification {
  readonly operation: Operation;
  readonly detail: OperationDetail | undefined;
  readonly vm: { readonly moref: string; readonly name: string | undefined };
  /** The class whose rule decided (the event's own or an ancestor). */
  readonly ruleClass: string;
}

/**
 * The VM an event is about: the event's `vm`, except for a clone, which the schema reports for the source VM
 * (`VmClonedEvent.sourceVm`; the new VM is in `vm`); a task's entity; an extended event's object.
 */
function subjectOf(event: VcenterEvent, rule: EventRule): VmRef | undefined {
  if (rule !== null && typeof rule === 'object' && rule.operation === 'clone') return event.sourceVm;
  if (event.vm?.moref !== undefined) return event.vm;
  if (rule === 'task' && event.task?.entity?.type === 'VirtualMachine')
    return { moref: event.task.entity.value, name: event.task.entityName };
  if (rule === 'event-type' && event.object?.type === 'VirtualMachine')
    return { moref: event.object.id, name: event.object.name };
  return undefined;
}

/** Classify an event, or undefined when the bridge does not map it (it then goes to the raw topic). */
export function classify(event: VcenterEvent): Classification | undefined {
  const found = ruleOf(event.eventClass);
  if (found === undefined || found.rule === null) return undefined;
  const { rule, from } = found;
  let verdict: { operation: Operation; detail?: OperationDetail } | undefined;
  if (rule === 'reconfigure') verdict = { operation: reconfigureOperation(event) };
  else if (rule === 'task') verdict = TASK_RULES[event.task?.descriptionId ?? ''];
  else if (rule === 'event-type') verdict = EVENT_TYPE_RULES[event.eventTypeId ?? ''];
  else verdict = rule;
  const vm = subjectOf(event, rule);
  if (verdict === undefined || vm?.moref === undefined) return undefined;
  return {
    operation: verdict.operation,
    detail: verdict.detail,
    vm: { moref: vm.moref, name: vm.name },
    ruleClass: from,
  };
}

/** The canonical operation of an event, or undefined when the bridge does not map it. */
export function operationOf(event: VcenterEvent): Operation | undefined {
  return classify(event)?.operation;
}

/** Where an event comes from: one vCenter, and the labels its events get. */
export interface MappingContext {
  /** vCenter `about.instanceUuid`. */
  readonly instanceUuid: string;
  /** The vCenter endpoint without credentials, used as `source`. */
  readonly source: string;
  readonly environment: string;
  readonly tenantId: string;
}

/** What vCenter says about a VM now (PropertyCollector), beyond the event. */
export type VmFacts = VmProperties;

/** What the worker found out for one event (see {@link factsNeeded}). */
export interface MappingFacts {
  /** The subject VM. */
  readonly vm?: VmFacts;
  /** `descriptionId` of the task that began the event's chain (or the VM's latest task), when the bridge saw it. */
  readonly task?: string;
  /** For a `VmCreatedEvent`: the VM being cloned into this one (from the `VmBeingClonedEvent` before it). */
  readonly cloneSource?: VmRef;
  /** For a `VmClonedEvent`: the new VM, and whether vCenter logged its creation with its own `VmCreatedEvent`. */
  readonly cloneTarget?: { readonly vm: VmFacts | undefined; readonly createdSeparately: boolean };
}

/** Which facts the worker must gather before mapping an event. */
export interface FactsNeeded {
  /** Read the subject VM's hardware (create, resize), or only its UUIDs. */
  readonly vm: 'hardware' | 'identity';
  /** Look up the task of the event's chain (`VmRemovedEvent`: destroy or unregister). */
  readonly task: boolean;
  /** `VmClonedEvent`: the new VM (its moref), to read and to look up its own `VmCreatedEvent`. */
  readonly cloneTarget: string | undefined;
}

/** What must be known to map `classification` of `event`. */
export function factsNeeded(event: VcenterEvent, classification: Classification): FactsNeeded {
  const clone = classification.operation === 'clone' ? event.vm?.moref : undefined;
  return {
    vm: OPERATIONS_NEEDING_HARDWARE.has(classification.operation) ? 'hardware' : 'identity',
    task: classification.operation === 'delete',
    cloneTarget: clone,
  };
}

/** One canonical event of a mapping, and why it is degraded (create/resize published as update), if it is. */
export interface MappedEvent {
  readonly event: CanonicalEvent;
  readonly degraded: string | undefined;
}

/** The outcome of mapping one vCenter event: one canonical event (two for a clone: see docs/bridge.md), or none. */
export type MappingResult =
  { readonly kind: 'canonical'; readonly events: readonly MappedEvent[] } | { readonly kind: 'unmapped' };

/** The event's `createdTime` as RFC 3339 UTC with millisecond precision (the original string is kept in `vcenter.createdTime`). */
export function toTimestamp(createdTime: string): string {
  const ms = Date.parse(createdTime);
  if (Number.isNaN(ms)) return createdTime;
  return new Date(ms).toISOString();
}

/** The dedup identity of a vCenter event: UUIDv5 of the vCenter instance and the event key (and a role, for the second event of a clone). */
export function eventIdOf(instanceUuid: string, key: number, role?: string): string {
  return role === undefined
    ? deriveEventId('vcenter', instanceUuid, String(key))
    : deriveEventId('vcenter', instanceUuid, String(key), role);
}

/** The VM UUIDs an event carries: what the event says they changed to, else what vCenter reports now. */
function identityOf(
  change: Pick<VcenterEvent, 'uuidChange' | 'instanceUuidChange'> | undefined,
  facts: VmFacts | undefined,
) {
  const instanceUuid = change?.instanceUuidChange?.new ?? facts?.instanceUuid;
  const biosUuid = change?.uuidChange?.new ?? facts?.biosUuid;
  const previousInstance = change?.instanceUuidChange?.old;
  const previousBios = change?.uuidChange?.old;
  return {
    ...(isUuid(instanceUuid) ? { vmInstanceUuid: instanceUuid } : {}),
    ...(isUuid(biosUuid) ? { vmBiosUuid: biosUuid } : {}),
    ...(isUuid(previousInstance) ? { previousVmInstanceUuid: previousInstance } : {}),
    ...(isUuid(previousBios) ? { previousVmBiosUuid: previousBios } : {}),
  };
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
function isUuid(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}

/**
 * Map one event. An operation that needs complete vmData but has no hardware (the VM is gone) is published as
 * `update` with what the event itself says (documented rule), and `degraded` says why.
 */
export function mapEvent(event: VcenterEvent, ctx: MappingContext, facts: MappingFacts = {}): MappingResult {
  const c = classify(event);
  if (c === undefined) return { kind: 'unmapped' };
  const eventId = eventIdOf(ctx.instanceUuid, event.key);
  const correlationId =
    event.chainId !== undefined ? deriveEventId('vcenter-chain', ctx.instanceUuid, event.chainId) : eventId;
  const build = (args: {
    eventId: string;
    operation: Operation;
    detail: OperationDetail | undefined;
    vm: { moref: string; name: string | undefined };
    vmFacts: VmFacts | undefined;
    /** The event's own UUID change applies to its subject only. */
    change: VcenterEvent | undefined;
    extra: Record<string, unknown>;
  }): MappedEvent => {
    const vcenter = {
      instanceUuid: ctx.instanceUuid,
      eventKey: event.key,
      eventType:
        (event.eventClass === 'EventEx' || event.eventClass === 'ExtendedEvent') && event.eventTypeId
          ? event.eventTypeId
          : event.eventClass,
      createdTime: event.createdTime,
      ...(event.chainId !== undefined ? { chainId: event.chainId } : {}),
      ...identityOf(args.change, args.vmFacts),
    };
    const info = {
      timestamp: toTimestamp(event.createdTime),
      vmId: args.vm.moref,
      username: event.userName ?? 'system',
      environment: ctx.environment,
      tenantId: ctx.tenantId,
      vcenter,
    };
    const envelope = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      eventId: args.eventId,
      source: ctx.source,
      correlationId,
    };
    const hardware = args.vmFacts?.hardware;
    const spec = event.configSpec;
    const vmName = args.vm.name ?? hardware?.name;
    if (args.operation === 'create' || args.operation === 'resize') {
      if (hardware) {
        // A resize reports what it asked for; the rest comes from the VM as it is now.
        const resize = args.operation === 'resize';
        const vmData = {
          cpu: resize && spec?.numCPUs !== undefined ? spec.numCPUs : hardware.cpu,
          memoryMB: resize && spec?.memoryMB !== undefined ? spec.memoryMB : hardware.memoryMB,
          storageGB: hardware.storageGB,
        };
        return {
          degraded: undefined,
          event: {
            ...envelope,
            operationInfo: {
              ...info,
              operation: args.operation,
              ...(vmName ? { vmName } : {}),
              ...(args.detail ? { detail: args.detail } : {}),
              ...args.extra,
            },
            vmData,
          },
        };
      }
      // Documented rule: without the VM's hardware a create/resize cannot carry complete vmData; it is
      // published as `update` with what the event itself says, and counted as degraded.
      const degraded = `the VM's hardware could not be read (VM ${args.vm.moref} no longer exists); published as update`;
      const partial: VmData = {
        ...(spec?.numCPUs !== undefined ? { cpu: spec.numCPUs } : {}),
        ...(spec?.memoryMB !== undefined ? { memoryMB: spec.memoryMB } : {}),
      };
      return {
        degraded,
        event: {
          ...envelope,
          operationInfo: {
            ...info,
            operation: 'update',
            ...(vmName ? { vmName } : {}),
            ...args.extra,
            notes: `${event.eventClass} (${args.operation}): ${degraded}`,
          },
          ...(Object.keys(partial).length > 0 ? { vmData: partial } : {}),
        },
      };
    }
    return {
      degraded: undefined,
      event: {
        ...envelope,
        operationInfo: {
          ...info,
          operation: args.operation,
          ...(vmName ? { vmName } : {}),
          ...(args.detail ? { detail: args.detail } : {}),
          ...args.extra,
        },
      },
    };
  };

  const subject = { ...c.vm };
  let detail = c.detail;
  const extra: Record<string, unknown> = {};
  switch (c.operation) {
    case 'rename': {
      const newName = event.newName ?? event.configSpec?.name ?? event.vm?.name;
      const oldName =
        event.oldName ?? (event.eventClass === 'VmReconfiguredEvent' ? event.vm?.name : undefined);
      subject.name = newName;
      if (oldName && oldName !== newName) {
        extra.previousVmName = oldName;
        extra.notes = `renamed from ${oldName}`;
      }
      break;
    }
    case 'delete':
      detail = REMOVAL_TASKS[facts.task ?? ''];
      if (detail === undefined)
        extra.notes =
          'removed from vCenter; whether it was deleted from disk or only unregistered is not known (no task seen)';
      break;
    case 'snapshot': {
      const name = event.arguments.snapshotName;
      if (name) extra.snapshotName = name.slice(0, 255);
      if (event.eventClass === 'TaskEvent')
        extra.notes = `${event.task?.name ?? 'snapshot'} task started (vCenter logs no event when it ends)`;
      break;
    }
    case 'power_on':
      if (detail === 'ha_restart')
        extra.notes = `restarted by vSphere HA${event.host ? ` on ${event.host}` : ''}${event.sourceHost ? ` (it ran on ${event.sourceHost})` : ''}`;
      break;
    case 'power_off':
      if (event.isolatedHost) extra.notes = `vSphere HA isolation response on ${event.isolatedHost}`;
      break;
    case 'create':
      if (facts.cloneSource?.moref !== undefined) {
        detail = 'clone_target';
        extra.relatedVm = relatedVm(facts.cloneSource);
      } else if (event.srcTemplate?.moref !== undefined) {
        extra.relatedVm = relatedVm(event.srcTemplate);
      }
      break;
    case 'clone':
      if (event.vm?.moref !== undefined) {
        extra.relatedVm = relatedVm(event.vm);
        extra.notes = `cloned to ${event.vm.name ?? event.vm.moref} (${event.vm.moref})`;
      }
      break;
    case 'update':
    case 'resize':
    case 'reset':
    case 'suspend':
    case 'migrate':
    case 'register':
      break;
  }
  const events = [
    build({ eventId, operation: c.operation, detail, vm: subject, vmFacts: facts.vm, change: event, extra }),
  ];
  // A real vCenter logs only VmClonedEvent for a clone; the new VM then gets its create from it. The simulator also
  // logs the new VM's own VmCreatedEvent, which the bridge maps (with detail clone_target): never both.
  if (
    c.operation === 'clone' &&
    event.vm?.moref !== undefined &&
    facts.cloneTarget?.createdSeparately === false
  ) {
    events.push(
      build({
        eventId: eventIdOf(ctx.instanceUuid, event.key, 'clone-target'),
        operation: 'create',
        detail: 'clone_target',
        vm: { moref: event.vm.moref, name: event.vm.name },
        vmFacts: facts.cloneTarget.vm,
        change: undefined,
        extra: { relatedVm: relatedVm(c.vm) },
      }),
    );
  }
  return { kind: 'canonical', events };
}

function relatedVm(vm: { moref?: string | undefined; name?: string | undefined }) {
  return { vmId: vm.moref!, ...(vm.name ? { vmName: vm.name } : {}) };
}

function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k === '_type' ? '_type' : k.charAt(0).toUpperCase() + k.slice(1)] = pascal(v);
  }
  return out;
}

/**
 * An unmapped event as a CloudEvent in the vCenter Event Broker Appliance's format:
 * `type = com.vmware.vsphere.<Class>.v0` (EventEx/ExtendedEvent: their `eventTypeId`), `subject` the class,
 * `time` the createdTime, `data` the vCenter event with the appliance's PascalCase field names.
 */
export function toRawCloudEvent(event: VcenterEvent, ctx: MappingContext): RawCloudEvent {
  const cls =
    (event.eventClass === 'EventEx' || event.eventClass === 'ExtendedEvent') && event.eventTypeId
      ? event.eventTypeId
      : event.eventClass;
  return {
    specversion: '1.0',
    id: eventIdOf(ctx.instanceUuid, event.key),
    source: ctx.source,
    type: `com.vmware.vsphere.${cls}.v0`,
    subject: event.eventClass,
    time: event.createdTime,
    datacontenttype: 'application/json',
    data: pascal(event.raw) as Record<string, unknown>,
  };
}
