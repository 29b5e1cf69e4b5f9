import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@ar/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEngineConnection } from './connection.js';
import { DockerodeEngine } from './dockerode-engine.js';

// Real failures, no engine needed: nothing listens on these addresses.
describe('DockerodeEngine without an engine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ar-docker-engine-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const engineAt = (host: string) =>
    new DockerodeEngine(
      resolveEngineConnection(
        resolveConfig({ env: {}, configFile: false, homeDir: dir, overrides: { docker: { host } } }).config
          .docker,
      ),
    );

  it('says no engine answers at a missing socket, naming it and what to do', async () => {
    const socket = join(dir, 'docker.sock');
    const error = await engineAt(`unix://${socket}`)
      .info()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AR_DOCKER_ENGINE_UNREACHABLE', retryable: true });
    expect((error as Error).message).toContain(`unix://${socket}`);
    expect((error as Error).message).toMatch(/DOCKER_HOST/);
  });

  it('says no engine answers at a closed tcp port', async () => {
    // A port that was free a moment ago: bind, read it, close.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await expect(engineAt(`tcp://127.0.0.1:${port}`).listImages()).rejects.toMatchObject({
      code: 'AR_DOCKER_ENGINE_UNREACHABLE',
      message: expect.stringContaining(`tcp://127.0.0.1:${port}`),
    });
  });

  it('validates tag targets before talking to the engine', async () => {
    const engine = engineAt(`unix://${join(dir, 'none.sock')}`);
    await expect(engine.tagImage('abc', 'Not/Valid:ref')).rejects.toMatchObject({
      code: expect.stringMatching(/^AR_IMAGE_REF_/),
    });
    await expect(engine.tagImage('abc', `r.test/app@sha256:${'a'.repeat(64)}`)).rejects.toMatchObject({
      code: 'AR_DOCKER_INVALID_ARGUMENT',
    });
  });

  it('reports an already-aborted signal as an abort, without dialling', async () => {
    await expect(
      engineAt(`unix://${join(dir, 'none.sock')}`).info({ signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_ABORTED' });
  });
});
