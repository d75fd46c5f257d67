import { describe, expectTypeOf, it } from 'vitest';
import {
  isResourceOperationEvent,
  validateVmOperationEvent,
  type CompleteVmData,
  type DomainEvent,
  type Operation,
  type OperationInfo,
  type VmData,
  type VmOperationEvent,
  type VmOperationEventOf,
} from '@org/vmware-events-schema';

const envelope = {
  schemaVersion: '1.0',
  eventId: '0b8f6f7e-3c1d-4f2a-9b6e-2f0d1c3e4a5b',
  source: 'https://vc01.example.com/sdk',
  correlationId: 'req-1',
};
const info = {
  timestamp: '2025-01-19T09:00:00Z',
  vmId: 'vm-1001',
  username: 'adminUser',
  environment: 'DEV',
  tenantId: 'tenantA',
};

describe('VmOperationEvent is a discriminated union on operationInfo.operation', () => {
  it('requires a complete vmData for create and resize', () => {
    const ok: VmOperationEvent = {
      ...envelope,
      operationInfo: { ...info, operation: 'create' },
      vmData: { cpu: 4, memoryMB: 8192, storageGB: 100 },
    };
    expectTypeOf(ok).toExtend<VmOperationEvent>();

    // @ts-expect-error: a create event without vmData does not type-check
    const noData: VmOperationEvent = { ...envelope, operationInfo: { ...info, operation: 'create' } };
    // @ts-expect-error: a resize event needs memoryMB and storageGB too
    const partial: VmOperationEvent = {
      ...envelope,
      operationInfo: { ...info, operation: 'resize' },
      vmData: { cpu: 8 },
    };
    void noData;
    void partial;
  });

  it('makes vmData optional and partial for the other operations', () => {
    const powerOn: VmOperationEvent = { ...envelope, operationInfo: { ...info, operation: 'power_on' } };
    const withPartial: VmOperationEvent = {
      ...envelope,
      operationInfo: { ...info, operation: 'delete' },
      vmData: { cpu: 2 },
    };
    void powerOn;
    void withPartial;
  });

  it('rejects unknown operations and unknown properties', () => {
    // @ts-expect-error: not an operation
    const bad: VmOperationEvent = { ...envelope, operationInfo: { ...info, operation: 'explode' } };
    const extra: VmOperationEvent = {
      ...envelope,
      operationInfo: { ...info, operation: 'power_off' },
      // @ts-expect-error: the schema is closed, so is the type
      gpu: 1,
    };
    void bad;
    void extra;
  });

  it('narrows with isResourceOperationEvent and VmOperationEventOf', () => {
    const event = {} as VmOperationEvent;
    expectTypeOf(event.vmData).toEqualTypeOf<CompleteVmData | VmData | undefined>();
    if (isResourceOperationEvent(event)) expectTypeOf(event.vmData).toEqualTypeOf<CompleteVmData>();
    expectTypeOf<VmOperationEventOf<'create'>['vmData']>().toEqualTypeOf<CompleteVmData>();
    expectTypeOf<VmOperationEventOf<'power_on'>['vmData']>().toEqualTypeOf<VmData | undefined>();
    expectTypeOf<VmOperationEventOf<'resize'>['operationInfo']['operation']>().toEqualTypeOf<'resize'>();
    expectTypeOf<OperationInfo['operation']>().toEqualTypeOf<Operation>();
  });

  it('types the validation result', () => {
    const result = validateVmOperationEvent({});
    if (result.valid) expectTypeOf(result.value).toEqualTypeOf<VmOperationEvent>();
    else expectTypeOf(result.issues[0]!.path).toBeString();
  });
});

describe('DomainEvent is a discriminated union on type', () => {
  it('enforces the rules per type', () => {
    const ok: DomainEvent[] = [
      { type: 'CREATE', tenant: 'diku', new: { id: '1' } },
      { type: 'UPDATE', tenant: 'diku', old: { id: '1' }, new: { id: '1' } },
      { type: 'DELETE', tenant: 'diku', old: { id: '1' } },
      { type: 'DELETE_ALL', tenant: 'diku' },
    ];
    // @ts-expect-error: CREATE needs new
    const noNew: DomainEvent = { type: 'CREATE', tenant: 'diku' };
    // @ts-expect-error: DELETE_ALL has neither old nor new
    const withOld: DomainEvent = { type: 'DELETE_ALL', tenant: 'diku', old: {} };
    void ok;
    void noNew;
    void withOld;
    const event = {} as DomainEvent;
    if (event.type === 'UPDATE') expectTypeOf(event.old).toEqualTypeOf<{ [k: string]: unknown }>();
  });
});
