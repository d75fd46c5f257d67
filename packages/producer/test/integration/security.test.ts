/**
 * SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), TLS and ACL authorization against a dedicated broker on the shared
 * broker's port plus 10,200 (19292 beside 9092, so work trees on other ports never share it; PLAINTEXT for the test's
 * own admin, a super user) with a SASL_PLAINTEXT listener on that port + 2, an SSL listener on + 3 (certificate from a throw-away CA made with openssl) and the StandardAuthorizer. Started here, stopped at the end; the shared broker on 9092 is not touched.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, isProducerError } from '../../src/index.js';
import type { AuthorizationError, ProducerLogger, ProducerOptions } from '../../src/index.js';
import { KAFKA_SH, adminClient, consume, createTopic, execFileAsync, vmEvent } from './helpers.js';

const PORT = Number(process.env.KAFKA_PORT ?? 9092) + 10_200;
const SASL_PORT = PORT + 2;
const TLS_PORT = PORT + 3;
const TLS_BROKERS = [`127.0.0.1:${TLS_PORT}`];
let caPem = '';
const ADMIN_BROKERS = [`127.0.0.1:${PORT}`];
const SASL_BROKERS = [`127.0.0.1:${SASL_PORT}`];
const SCRAM_USER = 'scram-svc-user';
const SCRAM_PASSWORD = 'scram-Secret-pw1';
const PLAIN_USER = 'plain-svc-user';
const PLAIN_PASSWORD = 'plain-Secret-pw2';

let env: NodeJS.ProcessEnv;
const kafkaSh = (command: 'start' | 'stop' | 'status' | 'classpath') =>
  execFileAsync('bash', [KAFKA_SH, command], { env });

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kafka-sasl-'));
  // A throw-away CA and a broker certificate for 127.0.0.1 (PKCS12 keystore for the broker).
  const sh = (script: string) => execFileAsync('bash', ['-ec', script], { cwd: dir });
  await sh(
    [
      'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=vmware-events-test-ca 2>/dev/null',
      'openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj /CN=127.0.0.1 2>/dev/null',
      'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext',
      'openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 2 -extfile san.ext 2>/dev/null',
      'openssl pkcs12 -export -in broker.pem -inkey broker.key -out broker.p12 -passout pass:test-keystore-pw',
    ].join('\n'),
  );
  caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
  const jaas = join(dir, 'kafka_server_jaas.conf');
  await writeFile(
    jaas,
    `KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required user_${PLAIN_USER}="${PLAIN_PASSWORD}";\n` +
      `  org.apache.kafka.common.security.scram.ScramLoginModule required;\n};\n`,
  );
  env = {
    ...process.env,
    KAFKA_PORT: String(PORT),
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m',
    KAFKA_JVM_OPTS: `-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.security.auth.login.config=${jaas}`,
    KAFKA_SERVER_OVERRIDES: [
      `listeners=PLAINTEXT://127.0.0.1:${PORT},SASL_PLAINTEXT://127.0.0.1:${SASL_PORT},SSL://127.0.0.1:${TLS_PORT},CONTROLLER://127.0.0.1:${PORT + 1}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${PORT},SASL_PLAINTEXT://127.0.0.1:${SASL_PORT},SSL://127.0.0.1:${TLS_PORT}`,
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${join(dir, 'broker.p12')}`,
      'ssl.keystore.password=test-keystore-pw',
      'ssl.key.password=test-keystore-pw',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found=false',
      'super.users=User:ANONYMOUS',
    ].join(' '),
  };
  const running = await kafkaSh('status').then(
    () => true,
    () => false,
  );
  if (!running) await kafkaSh('start');
  const classpath = (await kafkaSh('classpath')).stdout.trim();
  // One mechanism per call (the broker refuses two credentials of one user in one request); retried while the
  // freshly started broker settles.
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    for (let attempt = 1; ; attempt++) {
      try {
        await execFileAsync('java', [
          '-cp',
          `${classpath}/*`,
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          ADMIN_BROKERS[0]!,
          '--alter',
          '--add-config',
          `${mechanism}=[password=${SCRAM_PASSWORD}]`,
          '--entity-type',
          'users',
          '--entity-name',
          SCRAM_USER,
        ]);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }
}, 240_000);

afterAll(async () => {
  await kafkaSh('stop');
}, 60_000);

/** ACLs for `principal` on one topic. */
async function allow(topic: string, principal: string, operations: AclOperationTypes[]): Promise<void> {
  const admin = await adminClient(ADMIN_BROKERS);
  await admin.createAcls({
    acl: operations.map((operation) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    })),
  });
}

function recordingLogger(lines: string[]): ProducerLogger {
  const push = (level: string) => (m: string, f?: Record<string, unknown>) =>
    lines.push(`${level} ${m} ${JSON.stringify(f ?? {})}`);
  return { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function saslProducer(over: Partial<ProducerOptions>) {
  const producer = createProducer({
    brokers: SASL_BROKERS,
    source: 'urn:vmware-events:test',
    retry: { retries: 2, initialRetryTimeMs: 100, maxRetryTimeMs: 500 },
    ...over,
  });
  return producer;
}

const WRITE = [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE, AclOperationTypes.DESCRIBE_CONFIGS];

describe('SASL authentication', () => {
  it.each([
    ['scram-sha-512', SCRAM_USER, SCRAM_PASSWORD],
    ['scram-sha-256', SCRAM_USER, SCRAM_PASSWORD],
    ['plain', PLAIN_USER, PLAIN_PASSWORD],
  ] as const)('publishes with %s', async (mechanism, username, password) => {
    const topic = await createTopic({ brokers: ADMIN_BROKERS, partitions: 2 });
    await allow(topic, `User:${username}`, WRITE);
    const producer = saslProducer({ sasl: { mechanism, username, password }, topic: { name: topic } });
    await producer.connect();
    try {
      const result = await producer.publish(vmEvent());
      const [record] = await consume(topic, 1, { brokers: ADMIN_BROKERS });
      expect(record!.headers.eventId).toBe(result.eventId);
    } finally {
      await producer.disconnect();
    }
  });

  it('fails with an AuthenticationError that names neither the user nor the password, in errors or logs', async () => {
    const lines: string[] = [];
    const producer = saslProducer({
      sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password: 'wrong-Password-x' },
      logger: recordingLogger(lines),
      kafkaLogLevel: 'debug',
    });
    const error = await producer.connect().catch((e: unknown) => e);
    expect(isProducerError(error, 'PRODUCER_AUTHENTICATION')).toBe(true);
    expect((error as Error & { retriable: boolean }).retriable).toBe(false);
    expect((error as Error).message).toContain('scram-sha-512');
    const text = `${(error as Error).message}\n${lines.join('\n')}`;
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [SCRAM_USER, SCRAM_PASSWORD, 'wrong-Password-x']) expect(text).not.toContain(secret);
    await producer.disconnect();
  });
});

describe('ACL authorization', () => {
  it('reports a refused WRITE with the topic and the principal, and logs no username', async () => {
    const allowed = await createTopic({ brokers: ADMIN_BROKERS });
    const denied = await createTopic({ brokers: ADMIN_BROKERS });
    await allow(allowed, `User:${SCRAM_USER}`, WRITE);
    await allow(denied, `User:${SCRAM_USER}`, [
      AclOperationTypes.DESCRIBE,
      AclOperationTypes.DESCRIBE_CONFIGS,
    ]);
    const lines: string[] = [];
    const producer = saslProducer({
      sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password: SCRAM_PASSWORD },
      topic: { name: allowed },
      logger: recordingLogger(lines),
    });
    await producer.connect();
    try {
      await producer.publish(vmEvent());
      const error = (await producer
        .publish(vmEvent(), { topic: denied })
        .catch((e: unknown) => e)) as AuthorizationError;
      expect(isProducerError(error, 'PRODUCER_AUTHORIZATION')).toBe(true);
      expect(error.topic).toBe(denied);
      expect(error.principal).toBe(`User:${SCRAM_USER}`);
      expect(error.retriable).toBe(false);
      expect(error.message).toContain(denied);
      expect(error.message).not.toContain(SCRAM_USER);
      // The producer goes on working for the topic it may write to, also for records batched together with
      // records for the refused topic (one request per topic).
      await producer.publish(vmEvent());
      const [ok, refused] = await Promise.allSettled([
        producer.publish(vmEvent()),
        producer.publish(vmEvent(), { topic: denied }),
      ]);
      expect(ok.status).toBe('fulfilled');
      expect(refused.status === 'rejected' && isProducerError(refused.reason, 'PRODUCER_AUTHORIZATION')).toBe(
        true,
      );
      expect(lines.join('\n')).not.toContain(SCRAM_USER);
    } finally {
      await producer.disconnect();
    }
  });

  it('reports a topic the principal may not even describe', async () => {
    const allowed = await createTopic({ brokers: ADMIN_BROKERS });
    const hidden = await createTopic({ brokers: ADMIN_BROKERS, name: `test-hidden-${randomUUID()}` });
    await allow(allowed, `User:${SCRAM_USER}`, WRITE);
    const producer = saslProducer({
      sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password: SCRAM_PASSWORD },
      topic: { name: allowed },
    });
    await producer.connect();
    try {
      const error = (await producer
        .publish(vmEvent(), { topic: hidden })
        .catch((e: unknown) => e)) as AuthorizationError;
      expect(isProducerError(error, 'PRODUCER_AUTHORIZATION'), String(error)).toBe(true);
      expect(error.topic).toBe(hidden);
      expect(error.message).toMatch(/describe/i);
    } finally {
      await producer.disconnect();
    }
  });
});

describe('TLS', () => {
  it('publishes over TLS when the broker certificate verifies against the configured CA', async () => {
    const topic = await createTopic({ brokers: ADMIN_BROKERS });
    const producer = createProducer({
      brokers: TLS_BROKERS,
      source: 'urn:vmware-events:test',
      topic: { name: topic },
      ssl: { ca: caPem, rejectUnauthorized: true },
    });
    await producer.connect();
    try {
      const result = await producer.publish(vmEvent());
      const [record] = await consume(topic, 1, { brokers: ADMIN_BROKERS });
      expect(record!.headers.eventId).toBe(result.eventId);
    } finally {
      await producer.disconnect();
    }
  });

  it('refuses a broker whose certificate does not verify', async () => {
    const producer = createProducer({
      brokers: TLS_BROKERS,
      ssl: true, // system CAs: the test CA is not among them
      connectionTimeoutMs: 2_000,
      retry: { retries: 1, initialRetryTimeMs: 100, maxRetryTimeMs: 200 },
    });
    const error = await producer.connect().catch((e: unknown) => e);
    expect(isProducerError(error, 'PRODUCER_BROKER_UNAVAILABLE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/certificate/i);
    await producer.disconnect();
  });
});
