import { describe, expect, it } from 'vitest';
import { EventMemory } from '../../src/event-memory.js';
import type { VcenterEvent } from '../../src/vcenter-event.js';

/** The fields the memory reads; everything else empty. */
function event(fields: Partial<VcenterEvent> & Pick<VcenterEvent, 'eventClass' | 'key'>): VcenterEvent {
  return {
    eventTypeId: undefined,
    chainId: fields.key,
    createdTime: '2026-01-01T00:00:00Z',
    userName: undefined,
    vm: undefined,
    sourceVm: undefined,
    datacenter: undefined,
    host: undefined,
    computeResource: undefined,
    fullFormattedMessage: undefined,
    configSpec: undefined,
    oldName: undefined,
    newName: undefined,
    srcTemplate: undefined,
    destName: undefined,
    sourceHost: undefined,
    isolatedHost: undefined,
    uuidChange: undefined,
    instanceUuidChange: undefined,
    task: undefined,
    arguments: {},
    object: undefined,
    raw: {},
    ...fields,
  };
}
const taskEvent = (key: number, vm: string, descriptionId: string) =>
  event({
    eventClass: 'TaskEvent',
    key,
    vm: { name: vm, moref: vm },
    task: { descriptionId, name: undefined, entity: { type: 'VirtualMachine', value: vm }, entityName: vm },
  });

describe('EventMemory', () => {
  it('finds the task of an event by its chain first, else by the VM’s latest task', () => {
    const memory = new EventMemory();
    memory.observe(taskEvent(10, 'vm-1', 'VirtualMachine.destroy'));
    memory.observe(taskEvent(12, 'vm-1', 'VirtualMachine.unregister'));
    const removedInChain10 = event({ eventClass: 'VmRemovedEvent', key: 13, chainId: 10 });
    expect(memory.taskOf(removedInChain10, 'vm-1')).toBe('VirtualMachine.destroy');
    const removedOwnChain = event({ eventClass: 'VmRemovedEvent', key: 14 });
    expect(memory.taskOf(removedOwnChain, 'vm-1')).toBe('VirtualMachine.unregister');
    expect(memory.taskOf(removedOwnChain, 'vm-2')).toBeUndefined();
    memory.forget('vm-1');
    expect(memory.taskOf(removedOwnChain, 'vm-1')).toBeUndefined();
  });

  it('knows the source of a clone in progress by the new VM’s name until the clone ends or fails', () => {
    const memory = new EventMemory();
    const source = { name: 'web-01', moref: 'vm-57' };
    memory.observe(event({ eventClass: 'VmBeingClonedEvent', key: 1, vm: source, destName: 'web-02' }));
    memory.observe(event({ eventClass: 'VmBeingClonedEvent', key: 2, vm: source, destName: 'web-03' }));
    expect(memory.cloneSourceOf('web-02')).toEqual(source);
    memory.cloneDone('web-02');
    expect(memory.cloneSourceOf('web-02')).toBeUndefined();
    memory.observe(event({ eventClass: 'VmCloneFailedEvent', key: 3, vm: source, destName: 'web-03' }));
    expect(memory.cloneSourceOf('web-03')).toBeUndefined();
  });

  it('keeps at most its limit of entries, forgetting the least recently used', () => {
    const memory = new EventMemory(3);
    const ids = (n: number) => ({ hardware: undefined, instanceUuid: `i-${n}`, biosUuid: undefined });
    for (const n of [1, 2, 3]) memory.rememberIdentity(`vm-${n}`, ids(n));
    expect(memory.identityOf('vm-1')).toEqual(ids(1)); // now the most recent
    memory.rememberIdentity('vm-4', ids(4));
    expect(memory.identityOf('vm-2')).toBeUndefined();
    expect(memory.identityOf('vm-1')).toEqual(ids(1));
    expect(memory.identityOf('vm-4')).toEqual(ids(4));
    // nothing to remember without a UUID; hardware is never kept
    memory.rememberIdentity('vm-5', { hardware: undefined, instanceUuid: undefined, biosUuid: undefined });
    expect(memory.identityOf('vm-5')).toBeUndefined();
  });
});
