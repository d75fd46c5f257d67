import { expectTypeOf, it } from 'vitest';
import type { EventProducer, PublishResult, VmOperationEventInput } from '../../src/index.js';

it('lets callers leave out the fields the producer fills in, but not the required ones', () => {
  const ok: VmOperationEventInput = {
    operationInfo: { operation: 'create', vmId: 'vm-1', username: 'u', environment: 'DEV', tenantId: 't' },
    vmData: { cpu: 2, memoryMB: 4096, storageGB: 40 },
  };
  expectTypeOf(ok).toMatchTypeOf<VmOperationEventInput>();
  const noVm: VmOperationEventInput = {
    // @ts-expect-error vmId is required
    operationInfo: { operation: 'power_on', username: 'u', environment: 'DEV', tenantId: 't' },
  };
  const badOp: VmOperationEventInput = {
    // @ts-expect-error not an operation
    operationInfo: { operation: 'explode', vmId: 'v', username: 'u', environment: 'D', tenantId: 't' },
  };
  expectTypeOf([noVm, badOp]).toBeArray();
  expectTypeOf<ReturnType<EventProducer['publish']>>().toEqualTypeOf<Promise<PublishResult>>();
});
