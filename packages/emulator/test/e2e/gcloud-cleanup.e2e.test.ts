import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicyFile, policiesFromRest } from '@ar/cleanup-policy';
import { describeWithGcloud, runCommand } from '@ar/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { ADMIN, standardSeed } from '../../src/testing/fixture.js';

/**
 * gcloud's cleanup-policy commands against the emulator: the file `set-cleanup-policies --policy`
 * reads is sent as gcloud converts it (durations as `2592000.0s`, enums as gcloud encodes them), and
 * the emulator stores what `@ar/cleanup-policy` makes of the same file.
 */

const WHERE = ['--project=my-project', '--location=us-central1'];
/** AR's documented examples, in the file format, with each duration form gcloud accepts. */
const POLICY_FILE = [
  {
    name: 'delete-prerelease',
    action: { type: 'Delete' },
    condition: { tagState: 'tagged', tagPrefixes: ['alpha', 'v0'], olderThan: '30d' },
  },
  {
    name: 'delete-untagged',
    action: { type: 'Delete' },
    condition: { tagState: 'untagged', olderThan: 'P7D' },
  },
  {
    name: 'keep-tagged-release',
    action: { type: 'Keep' },
    condition: { tagState: 'tagged', tagPrefixes: ['release'], packageNamePrefixes: ['webapp', 'mobile'] },
  },
  {
    name: 'keep-minimum-versions',
    action: { type: 'Keep' },
    mostRecentVersions: { packageNamePrefixes: ['webapp', 'mobile', 'sandbox'], keepCount: 5 },
  },
  { name: 'fresh', action: { type: 'Keep' }, condition: { newerThan: '1h30m' } },
];

let emulator: Emulator;
let work: string;
let env: NodeJS.ProcessEnv;
let tokenFile: string;

async function gcloud(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await runCommand('gcloud', [...args, ...WHERE, `--access-token-file=${tokenFile}`], {
    env,
    timeoutMs: 120_000,
  });
  if (result.code !== 0)
    throw new Error(`gcloud ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result;
}

const checks: Array<[name: string, check: () => Promise<void>]> = [
  [
    'set-cleanup-policies --policy=FILE --dry-run: the emulator stores what @ar/cleanup-policy reads from the file',
    async () => {
      const file = join(work, 'policy.json');
      await writeFile(file, JSON.stringify(POLICY_FILE));
      const set = await gcloud([
        'artifacts',
        'repositories',
        'set-cleanup-policies',
        'repo',
        `--policy=${file}`,
        '--dry-run',
        '--format=json',
      ]);
      expect(set.stderr).toContain('Dry run is enabled.');
      const [run] = emulator.runCleanupPolicies();
      expect(run!.dryRun).toBe(true);
      const described = JSON.parse(
        (await gcloud(['artifacts', 'repositories', 'describe', 'repo', '--format=json'])).stdout,
      );
      expect(policiesFromRest(described.cleanupPolicies)).toEqual(
        parsePolicyFile(JSON.stringify(POLICY_FILE)),
      );
      // What gcloud sent is the REST form: ids, upper-case enums, durations in seconds.
      expect(described.cleanupPolicies['delete-untagged']).toEqual({
        id: 'delete-untagged',
        action: 'DELETE',
        condition: { tagState: 'UNTAGGED', olderThan: '604800s' },
      });
      const listed = JSON.parse(
        (await gcloud(['artifacts', 'repositories', 'list-cleanup-policies', 'repo', '--format=json']))
          .stdout,
      );
      expect(listed.map((policy: { name: string }) => policy.name)).toEqual(
        POLICY_FILE.map((policy) => policy.name).sort(),
      );
    },
  ],
  [
    'set-cleanup-policies --no-dry-run, and delete-cleanup-policies keeps the others',
    async () => {
      const off = await gcloud([
        'artifacts',
        'repositories',
        'set-cleanup-policies',
        'repo',
        '--no-dry-run',
        '--format=json',
      ]);
      expect(off.stderr).toContain('Dry run is disabled.');
      await gcloud([
        'artifacts',
        'repositories',
        'delete-cleanup-policies',
        'repo',
        '--policynames=fresh',
        '--format=json',
      ]);
      const listed = JSON.parse(
        (await gcloud(['artifacts', 'repositories', 'list-cleanup-policies', 'repo', '--format=json']))
          .stdout,
      );
      expect(listed.map((policy: { name: string }) => policy.name)).not.toContain('fresh');
      expect(listed).toHaveLength(POLICY_FILE.length - 1);
    },
  ],
];

describeWithGcloud('gcloud cleanup policies against the emulator', checks.length, () => {
  beforeAll(async () => {
    emulator = await startEmulator({ seed: standardSeed(), cleanupIntervalSeconds: 0 });
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-gcloud-cleanup-'));
    tokenFile = join(work, 'owner-token');
    await writeFile(tokenFile, emulator.mintAccessToken(`user:${ADMIN}`).accessToken);
    env = {
      ...process.env,
      CLOUDSDK_CONFIG: join(work, 'gcloud'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emulator.url()}/`,
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
    };
  });
  afterAll(async () => {
    await emulator?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  for (const [name, check] of checks) it(name, check, 180_000);
});
