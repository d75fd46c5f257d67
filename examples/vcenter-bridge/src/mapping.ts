/**
 * vCenter event class → canonical operation. Pure functions: the caller supplies the VM's hardware
 * (read through the PropertyCollector) when the operation needs complete `vmData`.
 * The table is documented in docs/bridge.md; keep the two in step.
 */
import type { VcenterEvent } from './vcenter-event.js';
import type { VmHardware } from './soap/client.js';
import { CURRENT_SCHEMA_VERSION, deriveEventId } from '@org/vmware-events-schema';
import type { VmData } from '@org/vmware-events-schema';
import type { CanonicalEvent, Operation, RawCloudEvent } from './types.js';

/** Classes that always map to one operation. `VmReconfiguredEvent` is decided by {@link reconfigureOperation}. */
export const EVENT_CLASS_OPERATIONS: Readonly<Record<string, Operation>> = {
  VmCreatedEvent: 'create',
  VmDeployedEvent: 'create',
  VmClonedEvent: 'clone',
  VmRegisteredEvent: 'register',
  VmRemovedEvent: 'delete',
  VmPoweredOnEvent: 'power_on',
  DrsVmPoweredOnEvent: 'power_on',
  VmPoweredOffEvent: 'power_off',
  VmSuspendedEvent: 'suspend',
  VmResettingEvent: 'reset',
  VmRenamedEvent: 'rename',
  VmMigratedEvent: 'migrate',
  DrsVmMigratedEvent: 'migrate',
  VmRelocatedEvent: 'migrate',
};

/** Operations whose canonical event must carry complete `vmData` (cpu, memoryMB, storageGB). */
export const OPERATIONS_NEEDING_HARDWARE: ReadonlySet<Operation> = new Set<Operation>([
  'create',
  'resize',
  'clone',
]);

/** What a reconfiguration is: a resize when CPU, memory or a disk changed; a rename; otherwise an update. */
export function reconfigureOperation(event: VcenterEvent): Operation {
  const spec = event.configSpec;
  if (spec && (spec.numCPUs !== undefined || spec.memoryMB !== undefined || spec.diskChanges > 0))
    return 'resize';
  if (spec?.name !== undefined && spec.name !== '') return 'rename';
  return 'update';
}

/**
 * The VM a canonical event is about: the event's `vm`, except for a clone, which the schema reports
 * for the source VM (`VmClonedEvent.sourceVm`; the new VM is in `vm`).
 */
export function subjectVm(event: VcenterEvent): VcenterEvent['vm'] {
  if (event.eventClass === 'VmClonedEvent')
    return event.sourceVm?.moref !== undefined ? event.sourceVm : undefined;
  return event.vm;
}

/** The canonical operation of an event, or undefined when the bridge does not map its class. */
export function operationOf(event: VcenterEvent): Operation | undefined {
  if (subjectVm(event)?.moref === undefined) return undefined;
  if (event.eventClass === 'VmReconfiguredEvent') return reconfigureOperation(event);
  return EVENT_CLASS_OPERATIONS[event.eventClass];
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

/** The outcome of mapping one vCenter event. */
export type MappingResult =
  | { readonly kind: 'canonical'; readonly event: CanonicalEvent; readonly degraded: string | undefined }
  | { readonly kind: 'unmapped' };

/** The event's `createdTime` as RFC 3339 UTC with millisecond precision (the original string is kept in `vcenter.createdTime`). */
export function toTimestamp(createdTime: string): string {
  const ms = Date.parse(createdTime);
  if (Number.isNaN(ms)) return createdTime;
  return new Date(ms).toISOString();
}

/** The dedup identity of a vCenter event: UUIDv5 of the vCenter instance and the event key. */
export function eventIdOf(instanceUuid: string, key: number): string {
  return deriveEventId('vcenter', instanceUuid, String(key));
}

/**
 * Map one event. `hardware` is the VM's current hardware (undefined when it could not be read: the
 * VM is gone). An operation that needs complete vmData but has no hardware is published as `update`
 * with what the event itself says (documented rule), and `degraded` says why.
 */
export function mapEvent(
  event: VcenterEvent,
  ctx: MappingContext,
  hardware: VmHardware | undefined,
): MappingResult {
  const mapped = operationOf(event);
  const vm = subjectVm(event);
  if (mapped === undefined || vm?.moref === undefined) return { kind: 'unmapped' };
  const eventId = eventIdOf(ctx.instanceUuid, event.key);
  const spec = event.configSpec;
  const info = {
    timestamp: toTimestamp(event.createdTime),
    vmId: vm.moref,
    username: event.userName ?? 'system',
    environment: ctx.environment,
    tenantId: ctx.tenantId,
    vcenter: {
      instanceUuid: ctx.instanceUuid,
      eventKey: event.key,
      eventType: event.eventClass,
      createdTime: event.createdTime,
      ...(event.chainId !== undefined ? { chainId: event.chainId } : {}),
    },
  };
  const envelope = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    eventId,
    source: ctx.source,
    correlationId:
      event.chainId !== undefined ? deriveEventId('vcenter-chain', ctx.instanceUuid, event.chainId) : eventId,
  };
  if (mapped === 'create' || mapped === 'resize') {
    if (hardware) {
      // A resize reports what it asked for; the rest comes from the VM as it is now.
      const vmData = {
        cpu: mapped === 'resize' && spec?.numCPUs !== undefined ? spec.numCPUs : hardware.cpu,
        memoryMB: mapped === 'resize' && spec?.memoryMB !== undefined ? spec.memoryMB : hardware.memoryMB,
        storageGB: hardware.storageGB,
      };
      const vmName = vm.name ?? hardware.name;
      return {
        kind: 'canonical',
        degraded: undefined,
        event: {
          ...envelope,
          operationInfo: { ...info, operation: mapped, ...(vmName ? { vmName } : {}) },
          vmData,
        },
      };
    }
    // Documented rule: without the VM's hardware a create/resize cannot carry complete vmData; it is
    // published as `update` with what the event itself says, and counted as degraded.
    const degraded = `the VM's hardware could not be read (VM ${vm.moref} no longer exists); published as update`;
    const partial: VmData = {
      ...(spec?.numCPUs !== undefined ? { cpu: spec.numCPUs } : {}),
      ...(spec?.memoryMB !== undefined ? { memoryMB: spec.memoryMB } : {}),
    };
    return {
      kind: 'canonical',
      degraded,
      event: {
        ...envelope,
        operationInfo: {
          ...info,
          operation: 'update',
          ...(vm.name ? { vmName: vm.name } : {}),
          notes: `${event.eventClass} (${mapped}): ${degraded}`,
        },
        ...(Object.keys(partial).length > 0 ? { vmData: partial } : {}),
      },
    };
  }
  let vmName = vm.name;
  let notes: string | undefined;
  if (mapped === 'rename') {
    vmName = event.newName ?? spec?.name ?? vm.name;
    const oldName =
      event.oldName ?? (event.eventClass === 'VmReconfiguredEvent' ? event.vm?.name : undefined);
    if (oldName && oldName !== vmName) notes = `renamed from ${oldName}`;
  } else if (mapped === 'clone' && event.vm?.moref !== undefined) {
    notes = `cloned to ${event.vm.name ?? event.vm.moref} (${event.vm.moref})`;
  }
  return {
    kind: 'canonical',
    degraded: undefined,
    event: {
      ...envelope,
      operationInfo: {
        ...info,
        operation: mapped,
        ...(vmName ? { vmName } : {}),
        ...(notes ? { notes } : {}),
      },
    },
  };
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
