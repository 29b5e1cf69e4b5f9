import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { DockerodeEngine, resolveEngineConnection } from '@ar/docker';
import { RegistryClient } from '@ar/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineOps } from './engine-ops.js';

// Real failures, no engine needed: nothing listens at the socket, and nothing may be dialled.
describe('engine flows refuse bad requests before talking to anything', () => {
  let dir: string;
  let registry: RegistryClient;
  let ops: ReturnType<typeof engineOps>;
  let asked = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ar-core-engine-'));
    const { config } = resolveConfig({
      env: {},
      configFile: false,
      homeDir: dir,
      overrides: { docker: { host: `unix://${join(dir, 'none.sock')}` } },
    });
    registry = RegistryClient.fromConfig(config);
    ops = engineOps({
      engine: new DockerodeEngine(resolveEngineConnection(config.docker)),
      registry,
      credentials: async () => {
        asked++;
        return undefined;
      },
      tempDir: dir,
    });
  });
  afterAll(async () => {
    await registry?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a push to a digest and an unknown path, asking for no credential', async () => {
    const app = { registry: 'r.test', repository: 'app' };
    await expect(ops.push('abc', { ...app, digest: `sha256:${'a'.repeat(64)}` })).rejects.toMatchObject({
      code: 'AR_DOCKER_INVALID_ARGUMENT',
      message: expect.stringContaining('push to a tag'),
    });
    await expect(ops.push('abc', { ...app, tag: '1' }, { via: 'nearby' as 'direct' })).rejects.toMatchObject({
      code: 'AR_DOCKER_INVALID_ARGUMENT',
      message: expect.stringContaining('"engine" or "direct"'),
    });
    await expect(ops.pull({ ...app, tag: '1' }, { via: 'carrier' as 'registry' })).rejects.toMatchObject({
      code: 'AR_DOCKER_INVALID_ARGUMENT',
    });
    expect(asked).toBe(0);
  });

  it('says no engine answers, for a push by either path', async () => {
    for (const via of ['engine', 'direct'] as const)
      await expect(
        ops.push('abc', { registry: 'r.test', repository: 'app', tag: '1' }, { via }),
      ).rejects.toMatchObject({ code: 'AR_DOCKER_ENGINE_UNREACHABLE' });
  });
});
