/**
 * What the bridge remembers from one event for a later one, because vCenter spreads one VM change over several
 * events: the task that began a chain (a `VmRemovedEvent` is a destroy or an unregister by its task), a clone in
 * progress (the simulator logs the new VM's `VmCreatedEvent` between `VmBeingClonedEvent` and `VmClonedEvent`), and
 * each VM's UUIDs (a removed VM can no longer be asked). Bounded: the oldest entries go first.
 */
import type { VmFacts } from './mapping.js';
import type { VcenterEvent, VmRef } from './vcenter-event.js';

/** A Map that forgets its oldest entry beyond `limit` entries; `get` makes an entry the newest. */
class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.limit) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }
}

/** The per-vCenter memory of a worker. */
export class EventMemory {
  readonly #chainTasks: BoundedMap<number, string>;
  readonly #vmTasks: BoundedMap<string, string>;
  readonly #clones: BoundedMap<string, VmRef>;
  readonly #identities: BoundedMap<string, VmFacts>;

  constructor(limit = 10_000) {
    this.#chainTasks = new BoundedMap(limit);
    this.#vmTasks = new BoundedMap(limit);
    this.#clones = new BoundedMap(Math.max(1, Math.floor(limit / 10)));
    this.#identities = new BoundedMap(limit);
  }

  /** Learn from an event, mapped or not (call it for every event, in order, before mapping it). */
  observe(event: VcenterEvent): void {
    if (event.eventClass === 'TaskEvent' && event.task?.descriptionId !== undefined) {
      // A task's events carry the chainId of the TaskEvent that began it (its key).
      this.#chainTasks.set(event.key, event.task.descriptionId);
      const vm =
        event.vm?.moref ??
        (event.task.entity?.type === 'VirtualMachine' ? event.task.entity.value : undefined);
      if (vm !== undefined) this.#vmTasks.set(vm, event.task.descriptionId);
    } else if (event.eventClass === 'VmBeingClonedEvent' && event.destName && event.vm?.moref) {
      this.#clones.set(event.destName, event.vm);
    } else if (event.eventClass === 'VmCloneFailedEvent' && event.destName) {
      this.#clones.delete(event.destName);
    }
  }

  /** The task an event belongs to: the one that began its chain, else the latest task seen for its VM. */
  taskOf(event: VcenterEvent, vm: string): string | undefined {
    return (
      (event.chainId !== undefined ? this.#chainTasks.get(event.chainId) : undefined) ?? this.#vmTasks.get(vm)
    );
  }

  /** For a `VmCreatedEvent`: the VM being cloned into a VM of this name, if a clone of it is in progress. */
  cloneSourceOf(name: string | undefined): VmRef | undefined {
    return name === undefined ? undefined : this.#clones.get(name);
  }

  /** A clone is done (`VmClonedEvent` with the new VM's name). */
  cloneDone(name: string | undefined): void {
    if (name !== undefined) this.#clones.delete(name);
  }

  /** The UUIDs last known for a VM. */
  identityOf(vm: string): VmFacts | undefined {
    return this.#identities.get(vm);
  }

  /** Remember what vCenter said about a VM (its hardware is not kept: it changes). */
  rememberIdentity(vm: string, facts: VmFacts): void {
    if (facts.instanceUuid !== undefined || facts.biosUuid !== undefined)
      this.#identities.set(vm, {
        hardware: undefined,
        instanceUuid: facts.instanceUuid,
        biosUuid: facts.biosUuid,
      });
  }

  /** A VM is gone: forget it. */
  forget(vm: string): void {
    this.#identities.delete(vm);
    this.#vmTasks.delete(vm);
  }
}
