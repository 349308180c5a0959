/**
 * Runs one `safeFetch` in a process of its own and prints the outcome as JSON (the body as text), for tests
 * that need a process-wide setting: NODE_EXTRA_CA_CERTS, read once at start-up, is the only way to make
 * the real TLS stack trust the loopback certificate without giving safeFetch a trust option production
 * has no use for. Private networks are allowed and every host name resolves to 127.0.0.1.
 *
 * Usage: node --import tsx tests/support/safe-fetch-child.ts URL
 */
import { safeFetch } from '../../functions/adapters/http/safe-fetch.js';

const url = process.argv[2];
if (!url) {
  console.error('usage: safe-fetch-child.ts URL');
  process.exit(2);
}
const outcome = await safeFetch(url, { allowPrivateNetwork: true, resolver: async () => [{ address: '127.0.0.1', family: 4 }] });
console.log(JSON.stringify(outcome.kind === 'ok' ? { ...outcome, body: outcome.body.toString() } : outcome));
