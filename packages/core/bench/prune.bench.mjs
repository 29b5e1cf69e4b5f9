#!/usr/bin/env node
// `images.prune` of a 2,000-version repository (4 images × 500 versions, all 60 days old) against
// the emulator: list + plan (dry run), then apply (tags then versions, 8 in flight), timed.
// One command, from the repository root (builds what it runs, then runs; about a minute):
//   npx turbo run build --filter=@ar/core --filter=@ar/emulator && node packages/core/bench/prune.bench.mjs
// PRUNE_VERSIONS=400 for a smaller run.
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolveConfig } from '@ar/config';
import { createClient, parsePolicyFile } from '@ar/core';
import { makeImage, RegistryClient, startTestEmulator } from '@ar/emulator/testing';

const VERSIONS = Number(process.env.PRUNE_VERSIONS ?? 2000);
const IMAGES = 4;
const PER_IMAGE = Math.ceil(VERSIONS / IMAGES);
const DAY = 86_400_000;
const PROJECT = 'prune-bench';

let offset = -60 * DAY;
const fixture = await startTestEmulator({
  project: PROJECT,
  accounts: { 'bench-admin': 'roles/artifactregistry.admin' },
  repositories: ['big'],
  cleanupIntervalSeconds: 0,
  clock: () => Date.now() + offset,
});
let ar;
try {
  // Setup (not timed): one config and layer per image, then distinct manifests (an annotation),
  // every 10th tagged, pushed 60 days ago by the emulator's clock.
  const registry = new RegistryClient(fixture.emulator.url(), {
    username: 'oauth2accesstoken',
    password: fixture.token('bench-admin'),
  });
  const setupStart = performance.now();
  for (let i = 0; i < IMAGES; i++) {
    const name = `${PROJECT}/big/app-${i}`;
    const base = makeImage();
    for (const blob of [base.config, ...base.layers]) await registry.pushBlob(name, blob);
    const manifest = JSON.parse(base.manifest.toString());
    for (let n = 0; n < PER_IMAGE; n++) {
      const body = Buffer.from(JSON.stringify({ ...manifest, annotations: { n: String(n) } }));
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const response = await registry.putManifest(name, n % 10 === 0 ? `v${n}` : digest, body);
      if (response.status !== 201) throw new Error(`push ${name}: ${response.status}`);
    }
  }
  offset = 0;
  const setupMs = performance.now() - setupStart;
  // A token minted now: one minted on the moved-back clock expired 60 days ago.
  const { config } = resolveConfig({
    ...fixture.isolatedUser,
    overrides: fixture.clientConfig('bench-admin'),
  });
  ar = createClient(config);

  const policies = parsePolicyFile(
    JSON.stringify([
      { name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '30d' } },
      { name: 'keep-10', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 10 } },
    ]),
  );
  let start = performance.now();
  const plan = await ar.images.prune('big', { policies, deleteTagged: true });
  const planMs = performance.now() - start;
  start = performance.now();
  const applied = await ar.images.prune('big', { policies, deleteTagged: true, apply: true });
  const applyMs = performance.now() - start;
  const left = (await ar.images.list('big')).length;
  if (applied.failed.length > 0)
    throw new Error(`${applied.failed.length} deletions failed: ${applied.failed[0].error.message}`);
  if (left !== IMAGES * 10) throw new Error(`expected ${IMAGES * 10} versions left, found ${left}`);
  const tags = applied.deleted.reduce((sum, version) => sum + version.tags.length, 0);
  console.log(
    JSON.stringify(
      {
        versions: plan.plan.versions.length,
        setupSeconds: +(setupMs / 1000).toFixed(1),
        planSeconds: +(planMs / 1000).toFixed(2),
        planDeletes: plan.plan.deletions.length,
        applySeconds: +(applyMs / 1000).toFixed(2),
        deletedVersions: applied.deleted.length,
        deletedTags: tags,
        versionsPerSecond: Math.round(applied.deleted.length / (applyMs / 1000)),
        left,
        loadAverage: loadavg().map((load) => +load.toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  await ar?.close();
  await fixture.stop();
}
