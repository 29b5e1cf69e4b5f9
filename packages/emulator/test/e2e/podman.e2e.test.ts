import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImageArchive, e2eEnv, runCommand } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { standardSeed, WRITER } from '../../src/testing/fixture.js';

/** Podman, through the service the e2e env starts when it has one (AR_E2E_PODMAN_HOST). */
const env = e2eEnv();

describe.runIf(env.podmanHost !== undefined)('podman against the emulator', () => {
  let emulator: Emulator;
  let work: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: standardSeed() });
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-podman-'));
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const podman = async (args: string[]) => {
    const result = await runCommand('podman', ['--url', env.podmanHost!, ...args], { timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`podman ${args[0]} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  };

  it('logs in with _json_key_base64, pushes, and pulls back the same image', async () => {
    const archive = await buildImageArchive({ randomBytes: 8192 });
    const tar = join(work, 'image.tar');
    await writeFile(tar, archive.tar);
    const loaded = await podman(['load', '--input', tar]);
    const local = /Loaded image(?:\(s\))?: (\S+)/.exec(loaded)?.[1] ?? archive.imageId;
    const key = Buffer.from(JSON.stringify(emulator.seeded.serviceAccountKeys[WRITER]![0])).toString(
      'base64',
    );
    // A private auth file: the default one is the machine's, shared with everyone.
    const authfile = ['--authfile', join(work, 'auth.json')];
    await podman([
      'login',
      ...authfile,
      '--tls-verify=false',
      '-u',
      '_json_key_base64',
      '-p',
      key,
      emulator.host(),
    ]);
    const reference = `${emulator.host()}/my-project/repo/podman/app:v1`;
    await podman(['push', ...authfile, '--tls-verify=false', local, reference]);
    await podman(['rmi', '-f', local]);
    await podman(['pull', ...authfile, '--tls-verify=false', reference]);
    const id = await podman(['image', 'inspect', '--format', '{{.Id}}', reference]);
    expect(`sha256:${id.trim()}`).toBe(archive.imageId);
  });
});
