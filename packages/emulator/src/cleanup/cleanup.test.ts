import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanupRun } from '../index.js';
import { type Fixture, standardSeed, startFixture, WRITER } from '../testing/fixture.js';
import { makeImage } from '../testing/registry-client.js';

const DAY = 86_400_000;
let offset = 0;
let fx: Fixture;
let rest: string;
let emulatorOnly: string;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
type Json = any;

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, {
    ...init,
    headers: { Authorization: `Bearer ${fx.adminToken()}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

/** Pushes `app` versions uploaded `ageDays` ago (the emulator's clock is moved back meanwhile). */
async function pushAged(ageDays: number, tag: string | undefined, n: number): Promise<string> {
  offset = -ageDays * DAY;
  try {
    const image = makeImage({ created: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() });
    const response = await fx.writer().pushImage('my-project/tidy/app', image, tag ?? image.digest);
    expect(response.status).toBe(201);
    return image.digest;
  } finally {
    offset = 0;
  }
}

beforeAll(async () => {
  const seed = standardSeed();
  seed.projects![0]!.repositories!.push({
    id: 'tidy',
    location: 'us-central1',
    cleanupPolicyDryRun: true,
    cleanupPolicies: [
      {
        name: 'old-untagged',
        action: { type: 'Delete' },
        condition: { tagState: 'untagged', olderThan: '30d' },
      },
      { name: 'keep-newest', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 1 } },
    ],
    iam: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }],
  });
  fx = await startFixture({ seed, cleanupIntervalSeconds: 0, clock: () => Date.now() + offset });
  rest = `${fx.emulator.url()}/v1/projects/my-project/locations/us-central1/repositories/tidy`;
  emulatorOnly = `${fx.emulator.url()}/emulator/v1/projects/my-project/locations/us-central1/repositories/tidy`;
});
afterAll(async () => {
  await fx.emulator.stop();
});

describe('cleanup policies in the emulator', () => {
  let old: string;
  let oldTagged: string;
  let recent: string;
  let newest: string;

  it('a seeded repository carries its policies in the REST form, with the dry-run flag', async () => {
    const repo = await call(rest);
    expect(repo.body.cleanupPolicyDryRun).toBe(true);
    expect(repo.body.cleanupPolicies).toEqual({
      'old-untagged': {
        id: 'old-untagged',
        action: 'DELETE',
        condition: { tagState: 'UNTAGGED', olderThan: '2592000s' },
      },
      'keep-newest': { id: 'keep-newest', action: 'KEEP', mostRecentVersions: { keepCount: 1 } },
    });
  });

  it('in dry run, a run deletes nothing and records what it would have deleted', async () => {
    old = await pushAged(60, undefined, 1);
    oldTagged = await pushAged(50, 'v1', 2);
    recent = await pushAged(10, undefined, 3);
    newest = await pushAged(45, undefined, 4).then(async () => pushAged(0, undefined, 5));
    const ran = await call(`${emulatorOnly}:runCleanupPolicies`, { method: 'POST' });
    expect(ran.status).toBe(200);
    const run = ran.body as CleanupRun;
    expect(run.dryRun).toBe(true);
    expect(run.deleted).toEqual([]);
    const wouldGo = run.plan.filter((v) => v.action === 'delete').map((v) => v.version);
    expect(wouldGo).toHaveLength(2);
    expect(wouldGo).toContain(old);
    expect(wouldGo).not.toContain(oldTagged);
    expect(wouldGo).not.toContain(recent);
    expect(run.plan.find((v) => v.version === newest)).toMatchObject({
      action: 'keep',
      policy: 'keep-newest',
    });
    const versions = await call(`${rest}/packages/app/versions`);
    expect(versions.body.versions).toHaveLength(5);
    const runs = await call(`${emulatorOnly}/cleanupRuns`);
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0].plan).toEqual(run.plan);
  });

  it('with dry run off (PATCH updateMask=cleanupPolicyDryRun), the run deletes what the plan says', async () => {
    const patched = await call(`${rest}?updateMask=cleanupPolicyDryRun`, {
      method: 'PATCH',
      body: JSON.stringify({ cleanupPolicyDryRun: false }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body.cleanupPolicyDryRun).toBeUndefined();
    const [run] = fx.emulator.runCleanupPolicies();
    expect(run!.dryRun).toBe(false);
    expect(run!.deleted.map((v) => v.version)).toContain(old);
    expect(run!.deleted).toHaveLength(2);
    const versions = await call(`${rest}/packages/app/versions`);
    const left = versions.body.versions.map((v: { name: string }) => v.name.split('/').pop());
    expect(left.sort()).toEqual([oldTagged, recent, newest].sort());
  });

  it('PATCH updateMask=cleanupPolicies replaces the policies; a bad policy is a 400 naming it', async () => {
    const bad = await call(`${rest}?updateMask=cleanupPolicies`, {
      method: 'PATCH',
      body: JSON.stringify({
        cleanupPolicies: { x: { id: 'x', action: 'DELETE', mostRecentVersions: { keepCount: 1 } } },
      }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/mostRecentVersions is only allowed with action KEEP/);
    const good = await call(`${rest}?updateMask=cleanupPolicies`, {
      method: 'PATCH',
      body: JSON.stringify({
        cleanupPolicies: {
          all: { id: 'all', action: 'DELETE', condition: { tagState: 'TAGGED', tagPrefixes: ['v'] } },
        },
      }),
    });
    expect(good.status).toBe(200);
    expect(Object.keys(good.body.cleanupPolicies)).toEqual(['all']);
    const [run] = fx.emulator.runCleanupPolicies();
    expect(run!.deleted.map((v) => v.version)).toEqual([oldTagged]);
  });

  it('the emulator-only endpoint needs a token and a repository that exists', async () => {
    expect((await fetch(`${emulatorOnly}:runCleanupPolicies`, { method: 'POST' })).status).toBe(401);
    const missing = await call(`${emulatorOnly.replace('tidy', 'nope')}/cleanupRuns`);
    expect(missing.status).toBe(404);
  });
});
