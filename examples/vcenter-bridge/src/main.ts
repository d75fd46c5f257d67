/**
 * Entry point: `tsx src/main.ts` (or `pnpm --filter vcenter-bridge start`). Configuration from the
 * environment (see docs/bridge.md); SIGINT/SIGTERM stop gracefully.
 */
import { createBridge } from './bridge.js';
import { parseConfig } from './config.js';
import { isBridgeError } from './errors.js';
import { createJsonLogger, describeError } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (isBridgeError(error, 'BRIDGE_INVALID_CONFIG')) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createJsonLogger(config.logLevel);
  const bridge = createBridge(config, { logger });
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    bridge.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  await bridge.start();
  await bridge.done.catch((error) => {
    logger.error('bridge failed', describeError(error));
    process.exit(1);
  });
}

main().catch((error) => {
  process.stderr.write(
    `vcenter-bridge failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
