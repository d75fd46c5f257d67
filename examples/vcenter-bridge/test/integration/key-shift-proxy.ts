/**
 * A vSphere endpoint that is the real simulator with other event keys: every request goes to vcsim unchanged,
 * and the event keys (and chain ids) in event pages (`ReadNextEvents`, `QueryEvents`) are renumbered by
 * `shift`. vcsim numbers its events from 1 and offers no way to start elsewhere, so this is how a test reaches the
 * int32 wrap of a long-lived vCenter (2147483647 → −2147483648) in a few dozen events. Everything else — sessions,
 * collectors, paging, the PropertyCollector, faults — is vcsim's own.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** A running proxy. */
export interface KeyShiftProxy {
  /** The proxy's SDK URL with the simulator's credentials (plain HTTP on 127.0.0.1). */
  readonly url: string;
  /** The proxy's SDK URL without credentials (the bridge's `source`). */
  readonly endpoint: string;
}

// The event's own key and chainId are its first two children (vim25 `Event` field order); nested elements
// (a configSpec's device keys …) come later and are left alone.
const EVENT_HEAD = /(<returnval\b[^>]*>\s*<key>)(-?\d+)(<\/key>\s*<chainId>)(-?\d+)(<\/chainId>)/g;

/** Start a proxy in front of `target` (a vcsim GOVC_URL); `shift` maps a vcsim key to the key to report. */
export async function startKeyShiftProxy(
  target: string,
  shift: (key: number) => number,
): Promise<KeyShiftProxy> {
  const upstream = new URL(target);
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rewrite = /<(ReadNextEvents|QueryEvents)\b/.test(body.toString('utf8'));
      const headers = { ...req.headers, host: upstream.host };
      const forward = https.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers,
          agent,
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            let text = Buffer.concat(parts).toString('utf8');
            if (rewrite) {
              text = text.replace(
                EVENT_HEAD,
                (_m, a: string, key: string, b: string, chain: string, c: string) =>
                  `${a}${shift(Number(key))}${b}${shift(Number(chain))}${c}`,
              );
            }
            const out = { ...up.headers };
            delete out['content-length'];
            delete out['transfer-encoding'];
            res.writeHead(up.statusCode ?? 502, out).end(text);
          });
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const creds = upstream.username ? `${upstream.username}:${upstream.password}@` : '';
  return {
    url: `http://${creds}127.0.0.1:${port}${upstream.pathname}`,
    endpoint: `http://127.0.0.1:${port}${upstream.pathname}`,
  };
}
