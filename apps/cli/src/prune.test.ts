// `gar repositories set-cleanup-policies` and `gar images prune`, the built gar against the emulator.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { runCommand } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GAR = fileURLToPath(new URL('../dist/gar.js', import.meta.url));
const PROJECT = 'prune-cli';
const DAY = 86_400_000;
let fixture: TestEmulator;
let env: Record<string, string>;

const POLICIES = [
  { name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '30d' } },
  { name: 'keep-newest', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 1 } },
  {
    name: 'keep-release',
    action: { type: 'Keep' },
    condition: { tagState: 'tagged', tagPrefixes: ['release'] },
  },
];

/** Pushes a version of `image` uploaded `ageDays` ago (the emulator's clock moved back meanwhile). */
const push = (repository: string, image: string, ageDays: number, tag?: string): Promise<string> =>
  fixture.aged(ageDays * DAY, () => fixture.pushImage('cli-admin', `${PROJECT}/${repository}/${image}`, tag));

async function gar(args: string[]) {
  const { code, stdout, stderr } = await runCommand(process.execPath, [GAR, ...args], { env });
  return { status: code, stdout, stderr };
}

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'cli-admin': 'roles/artifactregistry.admin' },
    repositories: ['tidy', 'cleaned'],
    cleanupIntervalSeconds: 0,
  });
  const home = fixture.work;
  writeFileSync(join(home, 'gar.json'), JSON.stringify(fixture.clientConfig()));
  writeFileSync(join(home, 'policy.json'), JSON.stringify(POLICIES));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    GAR_CONFIG: join(home, 'gar.json'),
    GAR_ACCESS_TOKEN: fixture.token('cli-admin'),
  };
});
afterAll(async () => {
  await fixture?.stop();
});

describe('gar and cleanup policies', () => {
  it('sets cleanup policies from the gcloud file, in dry run, and describe shows them', async () => {
    const set = await gar([
      'repositories',
      'set-cleanup-policies',
      'tidy',
      '--policy',
      join(fixture.work, 'policy.json'),
      '--dry-run',
    ]);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stderr).toContain('Dry run is enabled.');
    expect(JSON.parse(set.stdout).map((p: { name: string }) => p.name)).toEqual([
      'keep-newest',
      'keep-release',
      'old',
    ]);
    const described = await gar(['repositories', 'describe', 'tidy']);
    expect(described.stdout).toMatch(/cleanup dry run: +yes/);
    expect(described.stdout).toContain('old  Delete  {"condition":{"tagState":"any","olderThan":"30d"}}');
    const off = await gar(['repositories', 'set-cleanup-policies', 'tidy', '--no-dry-run']);
    expect(off.stderr).toContain('Dry run is disabled.');
    expect(JSON.parse(off.stdout)).toHaveLength(3);
    const nothing = await gar(['repositories', 'set-cleanup-policies', 'tidy']);
    expect(nothing.status).toBe(2);
    const bad = join(fixture.work, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([{ name: 'x', action: { type: 'Delete' }, mostRecentVersions: { keepCount: 1 } }]),
    );
    const refused = await gar(['repositories', 'set-cleanup-policies', 'tidy', '--policy', bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('mostRecentVersions is only allowed with action KEEP');
  });

  it('`gar images prune --policy` plans what the emulator decides server-side for the same policies', async () => {
    await gar(['repositories', 'set-cleanup-policies', 'tidy', '--dry-run']);
    for (const [image, age, tag] of [
      ['web', 90, 'release-1'],
      ['web', 60, 'v2'],
      ['web', 40, undefined],
      ['web', 2, undefined],
      ['api', 70, undefined],
      ['api', 50, undefined],
    ] as const) {
      await push('tidy', image, age, tag);
    }
    const [server] = fixture.emulator.runCleanupPolicies();
    const planned = await gar([
      'images',
      'prune',
      'tidy',
      '--policy',
      join(fixture.work, 'policy.json'),
      '--delete-tagged',
      '--format',
      'json',
    ]);
    expect(planned.status, planned.stderr).toBe(0);
    const rows = JSON.parse(planned.stdout) as Array<{
      package: string;
      digest: string;
      action: string;
      policy: string | null;
    }>;
    expect(rows.map((r) => [r.package, r.digest, r.action, r.policy])).toEqual(
      server!.plan.map((v) => [v.package, v.version, v.action, v.policy ?? null]),
    );
    expect(rows.filter((r) => r.action === 'delete')).toHaveLength(3);
    expect(planned.stderr).toContain('Dry run: 3 of 6 versions would be deleted');
  });

  it('prunes by flags: dry run first, tagged and in-use versions stay, --apply deletes', async () => {
    const oldUntagged = await push('cleaned', 'app', 60);
    const oldTagged = await push('cleaned', 'app', 50, 'v1');
    const deployed = await push('cleaned', 'app', 45, 'prod');
    const fresh = await push('cleaned', 'app', 0);
    const inUse = join(fixture.work, 'in-use.txt');
    writeFileSync(inUse, `${fixture.host}/${PROJECT}/cleaned/app:prod nginx:1.27\n`);
    const args = ['images', 'prune', 'cleaned', '--older-than', '30d', '--exclude-in-use', inUse];
    const dry = await gar(args);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/PACKAGE +DIGEST +TAGS +AGE +ACTION +POLICY/);
    expect(dry.stdout).toMatch(/app +sha256:\S+ +v1 +50d +keep +prune \(kept: tagged\)/);
    expect(dry.stdout).toMatch(/app +sha256:\S+ +prod +45d +keep +prune \(kept: in-use\)/);
    expect(dry.stderr).toContain('1 of 4 versions would be deleted');
    expect(dry.stderr).toContain('nginx:1.27');
    const applied = await gar([...args, '--apply', '--format', 'json']);
    expect(applied.status, applied.stderr).toBe(0);
    const rows = JSON.parse(applied.stdout) as Array<{ digest: string; action: string }>;
    expect(rows.find((r) => r.digest === oldUntagged)?.action).toBe('deleted');
    expect(applied.stderr).toContain('Deleted 1 of 4 versions');
    const listed = await gar(['images', 'list', 'cleaned', '--format', 'json']);
    expect((JSON.parse(listed.stdout) as Array<{ version: string }>).map((v) => v.version).sort()).toEqual(
      [oldTagged, deployed, fresh].sort(),
    );
    const refused = await gar(['images', 'prune', 'cleaned']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('Nothing says what to prune');
  });
});
