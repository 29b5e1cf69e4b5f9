// Durable, shared jobs: API processes (the built `ar-api` bin) on one Postgres database of the
// e2e environment and one emulator (in this process, reached over loopback). Each test creates
// its own database and drops it. Run under the e2e env:
//   bash scripts/e2e-env.sh run -- npx vitest run test/e2e/jobs-postgres.e2e.test.ts   (in apps/api)
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { e2eEnv, writeOciLayoutImage } from '@ar/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const env = e2eEnv();
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const PROJECT = 'jobs-e2e';
const SOURCE_HOST = 'us-west1-docker.pkg.dev';
/** Another location, so a copy moves bytes (within one registry, blobs are mounted). */
const DEST_HOST = 'europe-west1-docker.pkg.dev';
const KEY = 'jobs-e2e-key-0123456789';
const OTHER_KEY = 'jobs-e2e-other-key-0123456789';
/** Short, so a takeover comes quickly, yet longer than any one copy here takes on a loaded machine. */
const LEASE_SECONDS = 30;
const BIG = `${SOURCE_HOST}/${PROJECT}/staging/big:1`;
const SMALL = `${SOURCE_HOST}/${PROJECT}/staging/small:1`;

let fixture: TestEmulator;
let setup: ArClient;
let admin: pg.Client;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    moreLocations: ['europe-west1'],
    accounts: { 'jobs-e2e-svc': 'roles/artifactregistry.admin' },
    // The interrupted copies go each to a repository of its own: a second copy of the same blobs
    // into one repository would find them there and move no bytes.
    repositories: [
      'staging',
      ...['releases', 'killed', 'stopped'].map((id) => ({ id, location: 'europe-west1' })),
    ],
  });
  setup = createClient(
    resolveConfig({ ...fixture.isolatedUser, overrides: fixture.clientConfig('jobs-e2e-svc') }).config,
  );
  // 256 MiB of random layers: a copy that takes a moment, so it can be interrupted midway.
  await writeOciLayoutImage(join(fixture.work, 'big'), { layerSizes: [64, 64, 64, 64].map((m) => m << 20) });
  await setup.push(`oci:${join(fixture.work, 'big')}`, BIG);
  await writeOciLayoutImage(join(fixture.work, 'small'), { layerSizes: [32 * 1024] });
  await setup.push(`oci:${join(fixture.work, 'small')}`, SMALL);
  admin = new pg.Client({ connectionString: env.postgresUrl });
  await admin.connect();
}, 600_000);

afterAll(async () => {
  await admin?.end();
  await setup?.close();
  await fixture?.stop();
});

const digestOf = async (reference: string) => (await setup.images.describe(reference)).digest;

/** A database of its own for one test, dropped (with its connections) when the test ends. */
async function withDatabase(test: (url: string) => Promise<void>): Promise<void> {
  const name = `ar_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(env.postgresUrl);
    url.pathname = `/${name}`;
    await test(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** What these tests read of an answer: a job, or an error. */
interface JobJson {
  id: string;
  kind: string;
  state: string;
  progress: { bytes: number; totalBytes: number };
  request: { source: string };
  result?: { images: Array<{ digest: string }> };
  error?: { code: string; message: string };
}

interface ApiProcess {
  name: string;
  base: string;
  child: ChildProcess;
  /** The JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts the `ar-api` bin on a config file for this database; resolves once it listens. */
async function startApi(
  name: string,
  databaseUrl: string,
  processes: ApiProcess[],
  options: { maxRunning?: number; args?: string[] } = {},
): Promise<ApiProcess> {
  const { maxRunning = 2, args = [] } = options;
  const atEmulator = fixture.clientConfig('jobs-e2e-svc');
  const config = {
    ...atEmulator,
    transfer: { concurrency: 1 },
    log: { level: 'info' },
    api: {
      host: '127.0.0.1',
      port: 0,
      allowedHosts: [SOURCE_HOST, DEST_HOST],
      rateLimit: { perMinute: 1_000_000 },
      callers: [
        {
          name: 'promoter',
          apiKeySha256: createHash('sha256').update(KEY).digest('hex'),
          grants: [
            { prefix: `${SOURCE_HOST}/${PROJECT}`, role: 'write' },
            { prefix: `${DEST_HOST}/${PROJECT}`, role: 'write' },
          ],
        },
        {
          name: 'other',
          apiKeySha256: createHash('sha256').update(OTHER_KEY).digest('hex'),
          grants: [{ prefix: `${SOURCE_HOST}/${PROJECT}`, role: 'read' }],
        },
      ],
      // Answer 202 at once; progress written often enough for a poller to see a copy midway.
      jobs: {
        store: databaseUrl,
        maxRunning,
        leaseSeconds: LEASE_SECONDS,
        retentionSeconds: 600,
        waitMs: 0,
        progressIntervalMs: 200,
      },
    },
  };
  const file = join(fixture.work, `${name}-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [MAIN, '--config', file, ...args], {
    env: { PATH: process.env.PATH, HOME: fixture.work },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: ApiProcess['logs'] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(entry);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry.msg));
      if (match) resolve(match[1]!);
    });
    exited.then((code) => reject(new Error(`${name} exited (${code}) before listening: ${stderr}`)));
  });
  const api: ApiProcess = { name, base: '', child, logs, exited };
  processes.push(api);
  api.base = await listening;
  return api;
}

/** Stops whatever a test started, even when it failed. */
async function stopAll(processes: ApiProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (api) => {
      if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGKILL');
      await api.exited;
    }),
  );
}

async function call(
  api: ApiProcess,
  method: string,
  path: string,
  options: { body?: unknown; key?: string; idempotencyKey?: string } = {},
) {
  const response = await fetch(`${api.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? KEY}`,
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text.startsWith('{') ? JSON.parse(text) : {}) as JobJson,
    text,
  };
}

const copy = (api: ApiProcess, source: string, destination: string, idempotencyKey?: string) =>
  call(api, 'POST', '/v1/images:copy', {
    body: { source, destination },
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });

/** Polls the job on `api` until `done` holds (state changes come from another process: no event to wait on). */
async function pollJob(api: ApiProcess, id: string, done: (job: JobJson) => boolean, timeout: number) {
  return vi.waitFor(
    async () => {
      const { status, json } = await call(api, 'GET', `/v1/jobs/${id}`);
      expect(status).toBe(200);
      if (!done(json))
        throw new Error(`job ${id} on ${api.name}: ${json.state} ${JSON.stringify(json.progress)}`);
      return json;
    },
    { timeout, interval: 100 },
  );
}

const isFinal = (job: JobJson) => ['succeeded', 'failed', 'cancelled'].includes(job.state);

/**
 * The big copy submitted to A and run there; B started once A holds it; A stopped by `stop`
 * once B sees bytes moved. B must then run it (attempt 2) to the source's digest.
 */
async function interruptCopy(
  url: string,
  processes: ApiProcess[],
  repository: 'killed' | 'stopped',
  stop: (a: ApiProcess) => void,
  args: string[] = [],
) {
  const a = await startApi('A', url, processes, { args });
  const destination = `${DEST_HOST}/${PROJECT}/${repository}/big:1`;
  const started = await copy(a, BIG, destination);
  expect(started.status).toBe(202);
  const id = started.json.id;
  // B starts once A holds the job, so A is the one that runs it first.
  await pollJob(a, id, (job) => job.state === 'running', 60_000);
  const b = await startApi('B', url, processes);
  const midway = await pollJob(b, id, (job) => job.progress.bytes > 0 || isFinal(job), 120_000);
  expect(midway.state).toBe('running');
  stop(a);
  const stoppedAt = Date.now();
  const exitCode = await a.exited;
  const takenOver = await vi.waitFor(
    () => {
      const entry = b.logs.find((line) => line.msg === 'job started' && line.job === id);
      if (!entry) throw new Error('B has not started the job yet');
      return entry;
    },
    { timeout: (LEASE_SECONDS + 60) * 1000, interval: 100 },
  );
  const pickedUpAt = Date.now();
  expect(takenOver.attempt).toBe(2);
  const done = await pollJob(b, id, isFinal, 300_000);
  const doneAt = Date.now();
  expect(done.state).toBe('succeeded');
  const digest = await digestOf(BIG);
  expect(await digestOf(destination)).toBe(digest);
  expect(done.result?.images[0]?.digest).toBe(digest);
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return {
    exitCode,
    at: `${(midway.progress.bytes / 2 ** 20).toFixed(1)} of ${(midway.progress.totalBytes / 2 ** 20).toFixed(0)} MiB`,
    pickedUpS: seconds(pickedUpAt - stoppedAt),
    finishedS: seconds(doneAt - pickedUpAt),
    totalS: seconds(doneAt - stoppedAt),
  };
}

describe('copy jobs on Postgres, shared by two API processes', () => {
  it('a job accepted by A is readable on B, by its owner only', async () => {
    const processes: ApiProcess[] = [];
    try {
      await withDatabase(async (url) => {
        const [a, b] = await Promise.all([startApi('A', url, processes), startApi('B', url, processes)]);
        const started = await copy(a, SMALL, `${DEST_HOST}/${PROJECT}/releases/small:read`);
        expect(started.status).toBe(202);
        const onB = await pollJob(b, started.json.id, isFinal, 60_000);
        expect(onB).toMatchObject({ id: started.json.id, kind: 'copy', state: 'succeeded' });
        expect(onB.request.source).toBe(SMALL);
        const stranger = await call(b, 'GET', `/v1/jobs/${started.json.id}`, { key: OTHER_KEY });
        expect(stranger.status).toBe(404);
        expect(stranger.json.error?.code).toBe('AR_API_JOB_NOT_FOUND');
        // A failure is kept too, with its code, for any replica to show.
        const missing = await copy(
          a,
          `${SOURCE_HOST}/${PROJECT}/staging/absent:1`,
          `${DEST_HOST}/${PROJECT}/releases/absent:1`,
        );
        expect(missing.status).toBe(202);
        const failed = await pollJob(b, missing.json.id, isFinal, 60_000);
        expect(failed.state).toBe('failed');
        expect(failed.error?.code).toMatch(/^AR_REGISTRY_/);
        const metrics = await call(b, 'GET', '/metrics');
        expect(metrics.text).toMatch(/ar_api_jobs\{state="succeeded"\} 1/);
        expect(metrics.text).toMatch(/ar_api_jobs\{state="failed"\} 1/);
        expect(metrics.text).toMatch(/ar_api_jobs\{state="queued"\} 0/);
      });
    } finally {
      await stopAll(processes);
    }
  }, 120_000);

  it('concurrent submissions with one Idempotency-Key, to both processes, create one job', async () => {
    const processes: ApiProcess[] = [];
    try {
      await withDatabase(async (url) => {
        const [a, b] = await Promise.all([startApi('A', url, processes), startApi('B', url, processes)]);
        const key = `promote-${randomBytes(4).toString('hex')}`;
        const destination = `${DEST_HOST}/${PROJECT}/releases/small:once`;
        const answers = await Promise.all(
          Array.from({ length: 12 }, (_, i) => copy(i % 2 ? a : b, SMALL, destination, key)),
        );
        for (const answer of answers) expect(answer.status).toBe(202);
        const ids = new Set(answers.map((answer) => answer.json.id));
        expect(ids.size).toBe(1);
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        try {
          const { rows: jobs } = await db.query('SELECT id FROM ar_api.jobs');
          expect(jobs.map((row) => row.id)).toEqual([...ids]);
        } finally {
          await db.end();
        }
        // A later retry with the key still gets that job, not a second copy.
        const retry = await copy(a, SMALL, destination, key);
        expect(retry.json.id).toBe([...ids][0]);
      });
    } finally {
      await stopAll(processes);
    }
  }, 120_000);

  it('A killed mid-copy (SIGKILL): B takes the job over after the lease and finishes it, same digest', async () => {
    const processes: ApiProcess[] = [];
    try {
      await withDatabase(async (url) => {
        const run = await interruptCopy(url, processes, 'killed', (a) => a.child.kill('SIGKILL'));
        console.log(
          `failover (lease ${LEASE_SECONDS} s): killed A at ${run.at}; B picked the job up ${run.pickedUpS} s after the kill, finished ${run.finishedS} s later (${run.totalS} s kill → done)`,
        );
      });
    } finally {
      await stopAll(processes);
    }
  }, 600_000);

  it('A stopped mid-copy (SIGTERM, --shutdown cancel) hands the job back: B resumes it before any lease ends', async () => {
    const processes: ApiProcess[] = [];
    try {
      await withDatabase(async (url) => {
        const run = await interruptCopy(url, processes, 'stopped', (a) => a.child.kill('SIGTERM'), [
          '--shutdown',
          'cancel',
        ]);
        expect(run.exitCode).toBe(0);
        expect(Number(run.pickedUpS)).toBeLessThan(LEASE_SECONDS);
        console.log(
          `hand-back: stopped A at ${run.at}; B picked the job up ${run.pickedUpS} s after SIGTERM, finished ${run.finishedS} s later`,
        );
      });
    } finally {
      await stopAll(processes);
    }
  }, 600_000);

  it('a restart of the only instance in the middle of a queue of 20 jobs loses none', async () => {
    const processes: ApiProcess[] = [];
    try {
      await withDatabase(async (url) => {
        // One job at a time, so the queue drains slowly enough to restart in its middle.
        const first = await startApi('A', url, processes, { maxRunning: 1 });
        const destinations = Array.from(
          { length: 20 },
          (_, i) => `${DEST_HOST}/${PROJECT}/releases/small:q${i}`,
        );
        const answers = await Promise.all(destinations.map((destination) => copy(first, SMALL, destination)));
        const ids = answers.map((answer) => {
          expect(answer.status).toBe(202);
          return answer.json.id as string;
        });
        // Restart (SIGTERM, as a deploy does) once some jobs are done and some still wait.
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        const unfinished = await vi
          .waitFor(
            async () => {
              const { rows } = await db.query<{ done: number; open: number }>(
                `SELECT count(*) FILTER (WHERE state = 'succeeded')::int AS done,
                        count(*) FILTER (WHERE state IN ('queued', 'running'))::int AS open FROM ar_api.jobs`,
              );
              if (!(rows[0]!.done > 0 && rows[0]!.open > 0))
                throw new Error(`queue: ${JSON.stringify(rows[0])}`);
              return rows[0]!.open;
            },
            { timeout: 120_000, interval: 50 },
          )
          .finally(() => db.end());
        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        const second = await startApi('A2', url, processes);
        const after = await Promise.all(ids.map((id) => pollJob(second, id, isFinal, 300_000)));
        for (const job of after) expect(job.state).toBe('succeeded');
        const digest = await digestOf(SMALL);
        for (const destination of destinations) expect(await digestOf(destination)).toBe(digest);
        console.log(`queue restart: ${unfinished} of 20 jobs unfinished at the restart, all 20 succeeded`);
        expect(unfinished).toBeGreaterThan(0);
      });
    } finally {
      await stopAll(processes);
    }
  }, 600_000);
});
