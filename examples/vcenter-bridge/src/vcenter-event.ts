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
    raw: elementToJson(el) as Record<string, unknown>,
  };
}
