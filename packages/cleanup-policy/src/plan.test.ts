import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CleanupPolicy, planCleanup, policiesFromFile, type VersionInfo } from './index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6);

const version = (pkg: string, n: number, ageDays: number, tags: string[] = []): VersionInfo => ({
  package: pkg,
  version: `sha256:${String(n).padStart(64, '0')}`,
  tags,
  createTime: NOW - ageDays * DAY,
});

const decided = (policies: CleanupPolicy[], versions: VersionInfo[]) =>
  Object.fromEntries(
    planCleanup(policies, versions, NOW).versions.map((v) => [
      `${v.package}@${v.version.slice(-2)}`,
      `${v.action}:${v.policy ?? '-'}`,
    ]),
  );

// Arbitraries: small alphabets so that prefixes, packages and tags collide often.
const prefix = fc.constantFrom('a', 'b', 'ab', 'v1', 'v', 'sha256:0', 'sha256:1', 'release');
const duration = fc.constantFrom('1h', '1d', '7d', '30d', '90d');
const condition = fc.record(
  {
    tagState: fc.constantFrom('TAGGED', 'UNTAGGED', 'ANY'),
    tagPrefixes: fc.array(prefix, { maxLength: 2 }),
    versionNamePrefixes: fc.array(prefix, { maxLength: 2 }),
    packageNamePrefixes: fc.array(prefix, { maxLength: 2 }),
    olderThan: duration,
    newerThan: duration,
  },
  { requiredKeys: [] },
);
const policyBody = fc.oneof(
  fc.record({ action: fc.constantFrom('Delete', 'Keep'), condition }),
  fc.record({
    action: fc.constant('Keep'),
    mostRecentVersions: fc.record(
      { packageNamePrefixes: fc.array(prefix, { maxLength: 2 }), keepCount: fc.integer({ min: 1, max: 4 }) },
      { requiredKeys: ['keepCount'] },
    ),
  }),
);
/** Valid policies, through the file parser (so every policy a test uses is one gcloud accepts). */
const policies = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), policyBody), {
    selector: ([name]) => name,
    maxLength: 5,
  })
  .map((entries) =>
    entries.flatMap(([name, body]) => {
      const { action, ...rest } = body as { action: string };
      const fixed = rest as { condition?: { tagState?: string; tagPrefixes?: string[] } };
      if (fixed.condition?.tagState === 'UNTAGGED') delete fixed.condition.tagPrefixes;
      return policiesFromFile([{ name, action: { type: action }, ...fixed }]);
    }),
  );
const versions = fc.uniqueArray(
  fc.record({
    package: fc.constantFrom('a', 'ab', 'b/c', 'v1'),
    version: fc.integer({ min: 0, max: 199 }).map((n) => `sha256:${n.toString(16).padStart(64, '0')}`),
    tags: fc.uniqueArray(fc.constantFrom('latest', 'v1', 'v1.2', 'release-1', 'abc', 'b'), { maxLength: 2 }),
    createTime: fc.integer({ min: NOW - 200 * DAY, max: NOW }),
  }),
  { selector: (v) => `${v.package}@${v.version}`, maxLength: 40 },
);

describe('planCleanup: properties', () => {
  it('KEEP beats DELETE: what a KEEP policy matches stays whatever else matches, and a KEEP never adds a deletion', () => {
    fc.assert(
      fc.property(policies, policies, versions, (policyList, extra, versionList) => {
        const keeps = extra.filter((p) => p.action === 'KEEP').map((p) => ({ ...p, id: `k-${p.id}` }));
        const everything: CleanupPolicy = { id: 'delete-all', action: 'DELETE', condition: {} };
        const before = planCleanup(policyList, versionList, NOW);
        const after = planCleanup([...policyList, ...keeps, everything], versionList, NOW);
        for (const keep of keeps) {
          // What this KEEP matches: alone, it is the deciding policy of exactly those versions.
          const matched = planCleanup([keep], versionList, NOW).versions.filter((v) => v.policy === keep.id);
          for (const v of matched) {
            expect(
              after.versions.find((a) => a.package === v.package && a.version === v.version)?.action,
            ).toBe('keep');
          }
        }
        const withKeeps = planCleanup([...policyList, ...keeps], versionList, NOW);
        for (const gone of withKeeps.deletions) {
          expect(before.deletions.some((b) => b.package === gone.package && b.version === gone.version)).toBe(
            true,
          );
          expect(policyList.find((p) => p.id === gone.policy)?.action).toBe('DELETE');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('mostRecentVersions keeps exactly min(N, versions) per matching package, and the newest ones', () => {
    fc.assert(
      fc.property(versions, fc.integer({ min: 1, max: 5 }), (versionList, keepCount) => {
        const plan = planCleanup(
          [
            { id: 'keep', action: 'KEEP', mostRecentVersions: { keepCount } },
            { id: 'rest', action: 'DELETE', condition: {} },
          ],
          versionList,
          NOW,
        );
        const packages = new Set(versionList.map((v) => v.package));
        for (const pkg of packages) {
          const all = versionList.filter((v) => v.package === pkg);
          const kept = plan.versions.filter((v) => v.package === pkg && v.action === 'keep');
          expect(kept).toHaveLength(Math.min(keepCount, all.length));
          const oldestKept = Math.min(...kept.map((v) => v.createTime));
          for (const gone of plan.deletions.filter((v) => v.package === pkg)) {
            expect(gone.createTime).toBeLessThanOrEqual(oldestKept);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('nothing tagged is deleted when every DELETE policy says UNTAGGED', () => {
    fc.assert(
      fc.property(policies, versions, (policyList, versionList) => {
        const untaggedOnly = policyList.map((p) =>
          p.action === 'DELETE'
            ? { ...p, condition: { ...p.condition, tagState: 'UNTAGGED' as const, tagPrefixes: [] } }
            : p,
        );
        for (const gone of planCleanup(untaggedOnly, versionList, NOW).deletions)
          expect(gone.tags).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('the plan is the same whatever the order of the versions and of the policies', () => {
    fc.assert(
      fc.property(policies, versions, fc.integer(), (policyList, versionList, seed) => {
        const shuffle = <T>(items: readonly T[]) => {
          const copy = [...items];
          let state = seed;
          for (let i = copy.length - 1; i > 0; i--) {
            state = (state * 1103515245 + 12345) & 0x7fffffff;
            const j = state % (i + 1);
            [copy[i], copy[j]] = [copy[j]!, copy[i]!];
          }
          return copy;
        };
        expect(planCleanup(shuffle(policyList), shuffle(versionList), NOW)).toEqual(
          planCleanup(policyList, versionList, NOW),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('keepTagged and inUse never let a protected version be deleted', () => {
    fc.assert(
      fc.property(policies, versions, (policyList, versionList) => {
        const inUse = new Set(versionList.filter((_, i) => i % 3 === 0).map((v) => v.version));
        const plan = planCleanup(policyList, versionList, NOW, { keepTagged: true, inUse });
        for (const gone of plan.deletions) {
          expect(gone.tags).toEqual([]);
          expect(inUse.has(gone.version)).toBe(false);
        }
        // Protection only turns deletes into keeps.
        const bare = planCleanup(policyList, versionList, NOW);
        expect(
          plan.deletions.every((v) =>
            bare.deletions.some((b) => b.version === v.version && b.package === v.package),
          ),
        ).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

// AR's documented examples (cloud.google.com/artifact-registry/docs/repositories/cleanup-policy).
describe('planCleanup: AR documented examples', () => {
  it('"delete untagged older than 30 days": only untagged versions over 30 days old go', () => {
    const policies = policiesFromFile([
      {
        name: 'delete-old-untagged',
        action: { type: 'Delete' },
        condition: { tagState: 'untagged', olderThan: '30d' },
      },
    ]);
    expect(
      decided(policies, [version('app', 1, 31), version('app', 2, 29), version('app', 3, 60, ['v1'])]),
    ).toEqual({ 'app@03': 'keep:-', 'app@02': 'keep:-', 'app@01': 'delete:delete-old-untagged' });
  });

  it('"keep release tags": a KEEP on tag prefixes saves them from a delete-everything policy', () => {
    const policies = policiesFromFile([
      { name: 'delete-all', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '1d' } },
      {
        name: 'keep-release',
        action: { type: 'Keep' },
        condition: { tagState: 'tagged', tagPrefixes: ['release', 'v'] },
      },
    ]);
    expect(
      decided(policies, [
        version('app', 1, 10, ['release-1.0']),
        version('app', 2, 10, ['latest']),
        version('app', 3, 10, ['v2', 'x']),
      ]),
    ).toEqual({
      'app@01': 'keep:keep-release',
      'app@02': 'delete:delete-all',
      'app@03': 'keep:keep-release',
    });
  });

  it('"keep minimum versions": the 2 most recent of each matching package stay, others follow DELETE', () => {
    const policies = policiesFromFile([
      { name: 'delete-any', action: { type: 'Delete' }, condition: { tagState: 'any' } },
      {
        name: 'keep-minimum-versions',
        action: { type: 'Keep' },
        mostRecentVersions: { packageNamePrefixes: ['web'], keepCount: 2 },
      },
    ]);
    expect(
      decided(policies, [
        version('webapp', 1, 3),
        version('webapp', 2, 2),
        version('webapp', 3, 1),
        version('worker', 4, 1),
      ]),
    ).toEqual({
      'webapp@03': 'keep:keep-minimum-versions',
      'webapp@02': 'keep:keep-minimum-versions',
      'webapp@01': 'delete:delete-any',
      'worker@04': 'delete:delete-any',
    });
  });

  it('newerThan and package/version prefixes are ANDed within one condition', () => {
    const policies = policiesFromFile([
      {
        name: 'fresh-test-builds',
        action: { type: 'Delete' },
        condition: { newerThan: '7d', packageNamePrefixes: ['test/'], versionNamePrefixes: ['sha256:0'] },
      },
    ]);
    expect(
      decided(policies, [version('test/a', 1, 1), version('test/a', 2, 8), version('prod/a', 3, 1)]),
    ).toEqual({ 'prod/a@03': 'keep:-', 'test/a@01': 'delete:fresh-test-builds', 'test/a@02': 'keep:-' });
  });

  it('no policies: nothing is deleted', () => {
    expect(planCleanup([], [version('a', 1, 1000)], NOW).deletions).toEqual([]);
  });
});
