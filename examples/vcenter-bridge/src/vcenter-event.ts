/**
 * vCenter events as the bridge sees them: the fields every `Event` has, plus the few subclass
 * fields the mapping needs, read from the XML of a `ReadNextEvents` answer.
 */
import { BridgeError } from './errors.js';
import { child, childText, childrenNamed } from './soap/xml.js';
import type { XmlElement } from './soap/xml.js';

/** The resources a reconfiguration asked for (from `VmReconfiguredEvent.configSpec`). */
export interface ConfigSpecChange {
  readonly numCPUs?: number;
  readonly memoryMB?: number;
  /** Operations on virtual disks in `deviceChange` (`add`, `remove`, `edit`). */
  readonly diskChanges: number;
  /** A new name, when the reconfiguration renames the VM. */
  readonly name?: string;
}

/** A VM as an event names it. */
export interface VmRef {
  readonly name: string | undefined;
  readonly moref: string | undefined;
}

/** `TaskEvent.info`: which task began (a TaskEvent is logged when a task is created, not when it ends). */
export interface TaskInfo {
  /** The task's kind, e.g. `VirtualMachine.destroy`, `VirtualMachine.createSnapshot`. */
  readonly descriptionId: string | undefined;
  /** The method, e.g. `Destroy_Task`. */
  readonly name: string | undefined;
  /** The object the task works on (`VirtualMachine` moref for VM tasks). */
  readonly entity: { readonly type: string; readonly value: string } | undefined;
  readonly entityName: string | undefined;
}

/** One vCenter event. `raw` keeps every field for the raw topic. */
export interface VcenterEvent {
  /** The event class (xsi:type), e.g. `VmPoweredOnEvent`; for EventEx/ExtendedEvent the class itself. */
  readonly eventClass: string;
  /** `eventTypeId` of EventEx / ExtendedEvent. */
  readonly eventTypeId: string | undefined;
  /** int32, increasing per vCenter (with gaps; wraps to negative on very long-lived vCenters). */
  readonly key: number;
  readonly chainId: number | undefined;
  /** `createdTime` exactly as vCenter wrote it (µs on vCenter, ns on the simulator). */
  readonly createdTime: string;
  readonly userName: string | undefined;
  readonly vm: VmRef | undefined;
  /** `VmClonedEvent.sourceVm`: the VM that was cloned. */
  readonly sourceVm: VmRef | undefined;
  readonly datacenter: string | undefined;
  readonly host: string | undefined;
  readonly computeResource: string | undefined;
  readonly fullFormattedMessage: string | undefined;
  readonly configSpec: ConfigSpecChange | undefined;
  readonly oldName: string | undefined;
  readonly newName: string | undefined;
  /** `VmDeployedEvent.srcTemplate`: the template the VM was deployed from. */
  readonly srcTemplate: VmRef | undefined;
  /** `VmBeingClonedEvent.destName`: the name of the VM the clone will create. */
  readonly destName: string | undefined;
  /** `sourceHost` (HA restart, migration) / `isolatedHost` (HA isolation response): host names. */
  readonly sourceHost: string | undefined;
  readonly isolatedHost: string | undefined;
  /** BIOS / instance UUID changes and assignments (`VmUuidChangedEvent` …): old and new values. */
  readonly uuidChange: { readonly old: string | undefined; readonly new: string | undefined } | undefined;
  readonly instanceUuidChange:
    { readonly old: string | undefined; readonly new: string | undefined } | undefined;
  /** `TaskEvent.info`. */
  readonly task: TaskInfo | undefined;
  /** `EventEx.arguments` (key → value as text), e.g. `snapshotName`. */
  readonly arguments: Readonly<Record<string, string>>;
  /** `EventEx.objectType` / `objectId` / `objectName`: the object an extended event is about. */
  readonly object:
    { readonly type: string; readonly id: string; readonly name: string | undefined } | undefined;
  /** The whole event as plain JSON (element names → values), for the raw CloudEvent's `data`. */
  readonly raw: Record<string, unknown>;
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** XML element → plain JSON: repeated children become arrays, leaves become strings, `_type` keeps xsi:type. */
export function elementToJson(el: XmlElement): unknown {
  if (el.children.length === 0) {
    if (el.attributes.type !== undefined) return { type: el.attributes.type, value: el.text.trim() };
    return el.text.trim();
  }
  const out: Record<string, unknown> = {};
  if (el.xsiType) out._type = el.xsiType;
  for (const c of el.children) {
    const v = elementToJson(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  return out;
}

function readConfigSpec(el: XmlElement | undefined): ConfigSpecChange | undefined {
  if (!el) return undefined;
  let diskChanges = 0;
  for (const change of childrenNamed(el, 'deviceChange')) {
    if (child(change, 'device')?.xsiType === 'VirtualDisk') diskChanges++;
  }
  const numCPUs = num(childText(el, 'numCPUs'));
  const memoryMB = num(childText(el, 'memoryMB'));
  const name = childText(el, 'name');
  return {
    ...(numCPUs !== undefined && numCPUs > 0 ? { numCPUs } : {}),
    ...(memoryMB !== undefined && memoryMB > 0 ? { memoryMB } : {}),
    ...(name ? { name } : {}),
    diskChanges,
  };
}

/** Read one `<returnval>` of `ReadNextEvents`. Throws `BRIDGE_BAD_RESPONSE` without class, key or createdTime. */
export function parseVcenterEvent(el: XmlElement): VcenterEvent {
  const eventClass = el.xsiType;
  const key = num(childText(el, 'key'));
  const createdTime = childText(el, 'createdTime');
  if (!eventClass || key === undefined || !Number.isInteger(key) || !createdTime) {
    throw new BridgeError(
      'BRIDGE_BAD_RESPONSE',
      `vCenter returned an event without ${!eventClass ? 'xsi:type' : key === undefined ? 'key' : 'createdTime'}`,
    );
  }
  const vmRef = (name: string): VmRef | undefined => {
    const ref = child(el, name);
    return ref ? { name: childText(ref, 'name'), moref: childText(ref, 'vm') } : undefined;
  };
  const vm = vmRef('vm');
  const change = (oldTag: string, newTag: string) => {
    const before = childText(el, oldTag);
    const after = childText(el, newTag);
    return before !== undefined || after !== undefined ? { old: before, new: after } : undefined;
  };
  const info = child(el, 'info');
  const entity = child(info, 'entity');
  const args: Record<string, string> = {};
  for (const arg of childrenNamed(el, 'arguments')) {
    const k = childText(arg, 'key');
    const v = childText(arg, 'value');
    if (k !== undefined && v !== undefined) args[k] = v;
  }
  const objectType = childText(el, 'objectType');
  const objectId = childText(el, 'objectId');
  return {
    eventClass,
    eventTypeId: childText(el, 'eventTypeId'),
    key,
    chainId: num(childText(el, 'chainId')),
    createdTime,
    userName: childText(el, 'userName') || undefined,
    vm,
    sourceVm: vmRef('sourceVm'),
    datacenter: childText(child(el, 'datacenter'), 'name'),
    host: childText(child(el, 'host'), 'name'),
    computeResource: childText(child(el, 'computeResource'), 'name'),
    fullFormattedMessage: childText(el, 'fullFormattedMessage'),
    configSpec: readConfigSpec(child(el, 'configSpec')),
    oldName: childText(el, 'oldName'),
    newName: childText(el, 'newName'),
    srcTemplate: vmRef('srcTemplate'),
    destName: childText(el, 'destName'),
    sourceHost: childText(child(el, 'sourceHost'), 'name'),
    isolatedHost: childText(child(el, 'isolatedHost'), 'name'),
    uuidChange:
      eventClass === 'VmUuidAssignedEvent'
        ? { old: undefined, new: childText(el, 'uuid') }
        : change('oldUuid', 'newUuid'),
    instanceUuidChange:
      eventClass === 'VmInstanceUuidAssignedEvent'
        ? { old: undefined, new: childText(el, 'instanceUuid') }
        : change('oldInstanceUuid', 'newInstanceUuid'),
    task: info
      ? {
          descriptionId: childText(info, 'descriptionId'),
          name: childText(info, 'name'),
          entity:
            entity?.attributes.type !== undefined
              ? { type: entity.attributes.type, value: entity.text.trim() }
              : undefined,
          entityName: childText(info, 'entityName'),
        }
      : undefined,
    arguments: args,
    object:
      objectType !== undefined && objectId !== undefined
        ? { type: objectType, id: objectId, name: childText(el, 'objectName') }
        : undefined,
    raw: elementToJson(el) as Record<string, unknown>,
  };
}
