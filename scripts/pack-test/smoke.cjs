const runChecks = require('./checks.cjs');

runChecks(
  {
    schema: require('@org/vmware-events-schema'),
    producer: require('@org/vmware-events-producer'),
    consumer: require('@org/vmware-events-consumer'),
    cli: require('@org/vmware-events-cli'),
    producerTesting: require('@org/vmware-events-producer/testing'),
    consumerTesting: require('@org/vmware-events-consumer/testing'),
  },
  `CJS (Node ${process.version})`,
).catch((error) => {
  console.error(error);
  process.exit(1);
});
