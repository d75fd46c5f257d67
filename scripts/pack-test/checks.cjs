// Shared by smoke.mjs and smoke.cjs: exercises the installed tarballs for real (no broker needed).
// Each check throws on a wrong result; a module that fails to load fails before this runs.
const assert = require('node:assert/strict');

module.exports = async function runChecks(
  { schema, producer, consumer, cli, producerTesting, consumerTesting },
  label,
) {
  const event = {
    schemaVersion: '1.0',
    eventId: '0b7d7c3e-6a0b-4f4b-9a7e-6b1f1f0d2c11',
    source: 'urn:vmware-events:pack-test',
    correlationId: 'pack-test-1',
    operationInfo: {
      operation: 'create',
      timestamp: '2025-01-19T09:00:00Z',
      vmId: 'vm-1001',
      username: 'adminUser',
      environment: 'DEV',
      tenantId: 'tenantA',
    },
    vmData: { cpu: 4, memoryMB: 8192, storageGB: 100 },
  };

  // schema: the precompiled validator accepts a valid event and names the path of what is wrong.
  assert.equal(schema.validateVmOperationEvent(event).valid, true);
  const { vmData: _omit, ...withoutVmData } = event;
  const bad = schema.validateVmOperationEvent(withoutVmData);
  assert.equal(bad.valid, false);
  assert.ok(
    bad.issues.some((i) => i.path === '' || i.path.startsWith('/vmData')),
    JSON.stringify(bad.issues),
  );
  assert.throws(
    () => schema.assertVmOperationEvent(withoutVmData),
    (e) => schema.isSchemaValidationError(e),
  );
  assert.equal(schema.buildEventKey(event, 'env.tenant.vmId'), 'DEV.tenantA.vm-1001');
  assert.equal(schema.deadLetterTopic(schema.CANONICAL_TOPIC), 'vmware.events.dlq');
  assert.equal(schema.buildEventHeaders(event).ce_id, event.eventId);
  assert.equal(schema.checkCompatibility({ type: 'object' }, { type: 'object' }, 'FULL').compatible, true);

  // producer: options are validated at creation, with an error naming the bad option.
  assert.throws(() => producer.createProducer({ brokers: [] }), /brokers/);
  assert.equal(producer.partitionForKey('vm-1001', 12), producer.partitionForKey(Buffer.from('vm-1001'), 12));

  // consumer: the testing helper runs the real pipeline without a broker.
  const handled = [];
  const pipeline = consumer.createTestPipeline({ handler: ({ event: e }) => void handled.push(e.eventId) });
  await pipeline.deliver({ event });
  await pipeline.deliver({ event }); // a duplicate: handled once
  await pipeline.deliver({ value: '{not json' }); // undecodable: dead-lettered
  assert.deepEqual(handled, [event.eventId]);
  assert.equal(pipeline.deadLetters.length, 1);

  // the ./testing subpaths: the in-memory producer records what the real one would write; the consumer helper
  // awaits its handling through the test pipeline.
  const memory = producerTesting.createInMemoryProducer({ source: 'urn:vmware-events:pack-test' });
  await memory.connect();
  const tested = consumerTesting.createTestPipeline({ handler: () => undefined });
  memory.onPublish((record) => tested.deliver(record));
  const handledOne = consumerTesting.waitForHandled(tested, event.eventId);
  await memory.publish({ ...event, eventId: event.eventId });
  assert.equal((await handledOne).kind, 'processed');
  assert.equal((await memory.waitForPublished(event.eventId)).key, 'vm-1001');
  await assert.rejects(memory.publish(withoutVmData), (e) => schema.isSchemaValidationError(e));
  await memory.disconnect();

  // cli: the topic plan names topics by the conventions, and rejects an invalid plan with its path.
  const plan = cli.defineTopicPlan({
    defaults: { replicationFactor: 1, minInsyncReplicas: 1 },
    topics: { environments: ['prod'] },
  });
  assert.deepEqual(
    plan.topics.map((t) => t.name),
    ['vmware.events.prod', 'vmware.events.prod.dlq', 'vmware.events.prod.raw'],
  );
  assert.throws(
    () => cli.defineTopicPlan({ topics: { environments: ['eu.prod'] } }),
    (e) => cli.isInvalidTopicPlanError(e) && e.issues[0].path === 'topics.environments[0]',
  );

  console.log(`${label}: schema, producer, consumer, cli and the testing subpaths load and work`);
};
