import { type PlannedVersion, parsePolicyFile } from '@ar/cleanup-policy';
import { resolveConfig } from '@ar/config';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArClient, createClient } from './client.js';
import { executePrune, type PruneTarget } from './prune.js';
import { RestClient } from './rest.js';

const PROJECT = 'prune-tests';
const DAY = 86_400_000;
/** The emulator's clock stands still at NOW (moved back while old versions are pushed). */
const NOW = Date.UTC(2026, 11, 1);
let fixture: TestEmulator;
let ar: ArClient;

const POLICY_FILE = JSON.stringify([
  { name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '30d' } },
  { name: 'keep-2', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 2 } },
  {
    name: 'keep-release',
    action: { type: 'Keep' },
    condition: { tagState: 'tagged', tagPrefixes: ['release'] },
  },
]);

/** Pushes a version of `image` uploaded `ageDays` before NOW. */
const push = (repository: string, image: string, ageDays: number, tag?: string): Promise<string> =>
  fixture.aged(ageDays * DAY, () => fixture.pushImage('admin-sa', `${PROJECT}/${repository}/${image}`, tag));

/** The parts of a plan both sides decide: which version, kept or deleted, by which policy. */
const decisions = (plan: readonly PlannedVersion[]) =>
  plan.map((v) => ({ package: v.package, version: v.version, action: v.action, policy: v.policy }));

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'admin-sa': 'roles/artifactregistry.admin' },
    repositories: [
      { id: 'server', cleanupPolicyDryRun: true, cleanupPolicies: JSON.parse(POLICY_FILE) },
      'client',
      'bounded',
    ],
    cleanupIntervalSeconds: 0,
    clock: () => NOW,
  });
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: fixture.clientConfig('admin-sa'),
  });
  ar = createClient(config);
});
afterAll(async () => {
  await ar?.close();
  await fixture?.stop();
});

describe('prune', () => {
  it('gives the plan the emulator evaluates server-side, for the same policies on the same repository', async () => {
    for (const [image, age, tag] of [
      ['web', 90, 'release-1'],
      ['web', 60, 'v2'],
      ['web', 45, undefined],
      ['web', 40, undefined],
      ['web', 5, undefined],
      ['web', 1, 'latest'],
      ['tools/cli', 100, undefined],
      ['tools/cli', 80, 'v1'],
      ['tools/cli', 70, undefined],
    ] as const) {
      await push('server', image, age, tag);
    }
    const [server] = fixture.emulator.runCleanupPolicies();
    expect(server!.dryRun).toBe(true);
    const client = await ar.images.prune('server', {
      policies: parsePolicyFile(POLICY_FILE),
      deleteTagged: true,
      now: NOW,
    });
    expect(decisions(client.plan.versions)).toEqual(decisions(server!.plan));
    // And the plan is not trivial: both keeps and deletes, by each kind of policy.
    expect(new Set(client.plan.versions.map((v) => `${v.action}:${v.policy}`))).toEqual(
      new Set(['keep:keep-2', 'keep:keep-release', 'delete:old']),
    );
    expect(client.applied).toBe(false);
  });

  it('dry run by default; keeps tagged and in-use versions; apply deletes tags then versions; executing the same deletions again counts them as done', async () => {
    const oldUntagged = await push('client', 'app', 60);
    const oldTagged = await push('client', 'app', 50, 'v1');
    const deployed = await push('client', 'app', 40, 'prod');
    const pinned = await push('client', 'app', 35);
    const fresh = await push('client', 'app', 1, 'latest');
    const options = {
      policies: parsePolicyFile(POLICY_FILE).filter((p) => p.id === 'old'),
      inUse: [
        `${fixture.host}/${PROJECT}/client/app:prod`,
        `${fixture.host}/${PROJECT}/client/app@${pinned}`,
        'docker.io/library/nginx:1.27',
      ],
      now: NOW,
    };
    const planned = await ar.images.prune('client', options);
    expect(planned.applied).toBe(false);
    expect(planned.unresolvedInUse).toEqual(['docker.io/library/nginx:1.27']);
    const byVersion = new Map(planned.plan.versions.map((v) => [v.version, v]));
    expect(byVersion.get(oldUntagged)).toMatchObject({ action: 'delete', policy: 'old' });
    expect(byVersion.get(oldTagged)).toMatchObject({ action: 'keep', policy: 'old', protectedBy: 'tagged' });
    expect(byVersion.get(deployed)).toMatchObject({ action: 'keep', protectedBy: 'in-use' });
    expect(byVersion.get(pinned)).toMatchObject({ action: 'keep', protectedBy: 'in-use' });
    expect(byVersion.get(fresh)).toMatchObject({ action: 'keep', policy: undefined });
    expect((await ar.images.list('client')).map((image) => image.digest)).toHaveLength(5);

    const applied = await ar.images.prune('client', { ...options, deleteTagged: true, apply: true });
    expect(applied.failed).toEqual([]);
    expect(applied.deleted.map((v) => v.version).sort()).toEqual([oldUntagged, oldTagged].sort());
    const left = (await ar.images.list('client')).map((image) => image.digest).sort();
    expect(left).toEqual([deployed, pinned, fresh].sort());

    // Resumable: executing the same (now stale) deletions again counts what is gone as deleted.
    const repeat = await executePrune(applied.deleted, {
      deleteTag: (pkg, tag) =>
        fetchDelete(`packages/${encodeURIComponent(pkg)}/tags/${encodeURIComponent(tag)}`),
      deleteVersion: (pkg, version) => fetchDelete(`packages/${encodeURIComponent(pkg)}/versions/${version}`),
    });
    expect(repeat.failed).toEqual([]);
    expect(repeat.deleted).toHaveLength(2);
  });

  it('never has more deletions in flight than the bound', async () => {
    for (let i = 0; i < 12; i++) await push('bounded', 'many', 60);
    const { plan } = await ar.images.prune('bounded', { policies: parsePolicyFile(POLICY_FILE), now: NOW });
    expect(plan.deletions).toHaveLength(10);
    let inFlight = 0;
    let most = 0;
    const counted = (work: () => Promise<void>) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await work();
      } finally {
        inFlight--;
      }
    };
    const target: PruneTarget = {
      deleteTag: (pkg, tag) => counted(() => fetchDelete(`packages/${pkg}/tags/${tag}`, 'bounded'))(),
      deleteVersion: (pkg, version) =>
        counted(() => fetchDelete(`packages/${pkg}/versions/${version}`, 'bounded'))(),
    };
    const result = await executePrune(plan.deletions, target, { concurrency: 3 });
    expect(result.deleted).toHaveLength(10);
    expect(most).toBe(3);
    expect(await ar.images.list('bounded')).toHaveLength(2);
  });
});

/** A REST DELETE straight to the emulator, failing as core's client does (NOT_FOUND by code). */
async function fetchDelete(path: string, repository = 'client'): Promise<void> {
  const rest = new RestClient({
    baseUrl: fixture.emulator.url(),
    accessToken: async () => fixture.token('admin-sa'),
  });
  await rest.request(
    'DELETE',
    `projects/${PROJECT}/locations/${fixture.location}/repositories/${repository}/${path}`,
  );
}
