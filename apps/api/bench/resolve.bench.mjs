#!/usr/bin/env node
// Load benchmark: GET /v1/images:resolve under 50 concurrent connections for 10 s (autocannon),
// against the built service and the emulator, everything on loopback. Prints a Markdown row and
// fails when any request errored or answered other than 200.
//   npm run build -w @ar/api && npm run bench -w @ar/api   (BENCH_SECONDS, BENCH_CONNECTIONS to vary)
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { createClient } from '@ar/core';
import { startTestEmulator } from '@ar/emulator/testing';
import { writeOciLayoutImage } from '@ar/test-support';
import autocannon from 'autocannon';
import { createApi } from '../dist/index.js';

const PROJECT = 'bench-project';
const HOST = 'us-west1-docker.pkg.dev';
const KEY = 'bench-api-key-0123456789';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const fixture = await startTestEmulator({
  project: PROJECT,
  accounts: { 'bench-svc': 'roles/artifactregistry.admin' },
  repositories: ['apps'],
});
const { work } = fixture;
const { config } = resolveConfig({
  ...fixture.isolatedUser,
  overrides: {
    ...fixture.clientConfig('bench-svc'),
    api: {
      allowedHosts: [HOST],
      callers: [
        {
          name: 'bench',
          apiKeySha256: createHash('sha256').update(KEY).digest('hex'),
          grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'read' }],
        },
      ],
    },
  },
});
const setup = createClient(config);
const ref = `${HOST}/${PROJECT}/apps/app:1`;
await writeOciLayoutImage(join(work, 'app'), { layerSizes: [4096, 2048] });
await setup.push(`oci:${join(work, 'app')}`, ref);
await setup.close();

// Logs off and the rate limit out of the way: this measures the request path, not log I/O.
const api = await createApi({ config, logger: false, rateLimit: { max: 1e9, windowMs: 60_000 } });
const base = await api.listen({ host: '127.0.0.1', port: 0 });
let non200 = 0;
try {
  const result = await autocannon({
    url: `${base}/v1/images:resolve?ref=${encodeURIComponent(ref)}`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${KEY}` },
  });
  non200 = result.non2xx;
  const row = {
    endpoint: 'GET /v1/images:resolve',
    connections,
    seconds,
    requests: result.requests.total,
    'req/s (mean)': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  console.log(`| ${Object.keys(row).join(' | ')} |`);
  console.log(
    `|${Object.keys(row)
      .map(() => '---')
      .join('|')}|`,
  );
  console.log(`| ${Object.values(row).join(' | ')} |`);
  if (result.errors + result.timeouts + non200 > 0) process.exitCode = 1;
} finally {
  await api.close();
  await fixture.stop();
}
