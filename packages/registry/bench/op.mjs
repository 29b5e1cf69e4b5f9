// One client operation in its own process, so its peak RSS is the client's alone.
// Usage: node bench/op.mjs SRC DST   (credentials in AR_BENCH_USER / AR_BENCH_PASS)
import { copy, RegistryClient } from '../dist/index.js';

const [src, dst] = process.argv.slice(2);
const username = process.env.AR_BENCH_USER;
const password = process.env.AR_BENCH_PASS;
const client = new RegistryClient({
  credentials: async () => (username ? { username, password: password ?? '' } : undefined),
});
const started = performance.now();
const result = await copy(client, src, dst);
const inProcessMs = performance.now() - started;
await client.close();
process.stdout.write(
  `${JSON.stringify({ inProcessMs, maxRssKiB: process.resourceUsage().maxRSS, blobs: result.images[0]?.blobs, digest: result.images[0]?.digest })}\n`,
);
