import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImageArchive } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { READER, standardSeed, WRITER } from '../../src/testing/fixture.js';
import { ok, skopeo } from './support.js';

/** skopeo (containers/image), another client no one here wrote: oci: layouts in and out. */
describe('skopeo against the emulator', () => {
  let emulator: Emulator;
  let work: string;
  let creds: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: standardSeed() });
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-skopeo-'));
    creds = `oauth2accesstoken:${emulator.mintAccessToken(WRITER).accessToken}`;
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function ociLayout(name: string): Promise<string> {
    const archive = await buildImageArchive({ randomBytes: 64 * 1024 });
    const tar = join(work, `${name}.tar`);
    await writeFile(tar, archive.tar);
    const layout = join(work, name);
    ok(await skopeo(['copy', `docker-archive:${tar}`, `oci:${layout}:v1`]));
    return layout;
  }

  it('copies an OCI layout in, and back out unchanged (oci: ↔ docker://)', async () => {
    const layout = await ociLayout('in');
    const remote = `docker://${emulator.host()}/my-project/repo/skopeo/app:v1`;
    ok(await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:v1`, remote]));
    const out = join(work, 'out');
    ok(await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds, remote, `oci:${out}:v1`]));
    const index = async (dir: string) =>
      JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    expect((await index(out)).manifests[0]!.digest).toBe((await index(layout)).manifests[0]!.digest);
    const inspect = ok(
      await skopeo([
        'inspect',
        '--tls-verify=false',
        '--creds',
        creds,
        remote.replace(':v1', '@') + (await index(out)).manifests[0]!.digest,
      ]),
    );
    expect(JSON.parse(inspect.stdout).Digest).toBe((await index(out)).manifests[0]!.digest);
    const tags = ok(
      await skopeo(['list-tags', '--tls-verify=false', '--creds', creds, remote.replace(':v1', '')]),
    );
    expect(JSON.parse(tags.stdout).Tags).toEqual(['v1']);
  });

  it('is refused a push with reader credentials', async () => {
    const layout = await ociLayout('denied');
    const readerCreds = `oauth2accesstoken:${emulator.mintAccessToken(READER).accessToken}`;
    const result = await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      readerCreds,
      `oci:${layout}:v1`,
      `docker://${emulator.host()}/my-project/repo/skopeo/denied:v1`,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('artifactregistry.repositories.uploadArtifacts');
  });

  it('lets exactly one of two concurrent pushes of one immutable tag win', async () => {
    const [first, second] = await Promise.all([ociLayout('race-a'), ociLayout('race-b')]);
    const target = `docker://${emulator.host()}/my-project/frozen/race:v1`;
    const results = await Promise.all(
      [first, second].map((layout) =>
        skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:v1`, target]),
      ),
    );
    expect(results.map((result) => result.code === 0).sort()).toEqual([false, true]);
    const loser = results.find((result) => result.code !== 0)!;
    expect(loser.stderr).toContain('cannot update tag v1. The repository has enabled tag immutability');
  });
});
