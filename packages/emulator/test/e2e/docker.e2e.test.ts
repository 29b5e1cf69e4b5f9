import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildImageArchive,
  e2eEnv,
  type ImageArchive,
  tokenAdminClient,
  writeStandInCredentialHelper,
} from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { ADMIN, READER, standardSeed, WRITER } from '../../src/testing/fixture.js';
import { docker, ok } from './support.js';

/**
 * The Docker CLI and the private dockerd of the e2e env against the emulator: logins with each
 * AR username, a credential helper, the denials, and remote / virtual pulls with the CNCF
 * distribution registry (token auth) as the remote upstream.
 */
describe('docker CLI + dockerd against the emulator', () => {
  const env = e2eEnv();
  let emulator: Emulator;
  let work: string;
  let host: string;
  let configCount = 0;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-docker-'));
    const upstream = await tokenAdminClient(env.tokenAdmin).allow({ kind: 'access_token' });
    const seed = standardSeed();
    seed.projects![0]!.repositories!.push(
      {
        id: 'dist-cache',
        location: 'us-central1',
        mode: 'REMOTE_REPOSITORY',
        remote: { uri: `http://${env.registry}`, username: 'oauth2accesstoken', password: upstream.token! },
        iam: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:${READER}`] }],
      },
      {
        id: 'everything',
        location: 'us-central1',
        mode: 'VIRTUAL_REPOSITORY',
        upstreams: [
          { repository: 'repo', priority: 100 },
          { repository: 'dist-cache', priority: 50 },
        ],
        iam: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:${READER}`] }],
      },
    );
    emulator = await startEmulator({ seed });
    host = emulator.host();
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** A fresh DOCKER_CONFIG: no login leaks from one test into another. */
  async function freshConfig(): Promise<Record<string, string>> {
    const dir = join(work, `config-${configCount++}`);
    await mkdir(dir, { recursive: true });
    return { DOCKER_CONFIG: dir };
  }

  async function loadImage(cli: Record<string, string>): Promise<ImageArchive> {
    const archive = await buildImageArchive({ randomBytes: 8192 });
    const path = join(work, `${archive.imageId.slice(7, 19)}.tar`);
    await writeFile(path, archive.tar);
    ok(await docker(env.dockerHost, ['load', '--input', path], cli));
    return archive;
  }

  async function pushAndPullBack(cli: Record<string, string>, reference: string): Promise<void> {
    const archive = await loadImage(cli);
    ok(await docker(env.dockerHost, ['tag', archive.imageId, reference], cli));
    const push = ok(await docker(env.dockerHost, ['push', reference], cli));
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    expect(digest, push.stdout).toBeDefined();
    ok(await docker(env.dockerHost, ['rmi', '-f', archive.imageId], cli));
    ok(await docker(env.dockerHost, ['pull', reference], cli));
    const pulled = ok(
      await docker(env.dockerHost, ['image', 'inspect', '--format', '{{.Id}}', reference], cli),
    );
    expect(pulled.stdout.trim()).toBe(archive.imageId);
    ok(await docker(env.dockerHost, ['rmi', '-f', archive.imageId], cli));
    const byDigest = `${reference.replace(/:[^:/]+$/, '')}@${digest}`;
    ok(await docker(env.dockerHost, ['pull', byDigest], cli));
    const again = ok(
      await docker(env.dockerHost, ['image', 'inspect', '--format', '{{.Id}}', byDigest], cli),
    );
    expect(again.stdout.trim()).toBe(archive.imageId);
    ok(await docker(env.dockerHost, ['rmi', '-f', archive.imageId], cli));
  }

  it('pushes and pulls by tag and by digest after docker login with each AR username', async () => {
    const key = emulator.seeded.serviceAccountKeys[WRITER]![0]!;
    const logins: Array<[string, string]> = [
      ['oauth2accesstoken', emulator.mintAccessToken(WRITER).accessToken],
      ['_json_key', JSON.stringify(key)],
      ['_json_key_base64', Buffer.from(JSON.stringify(key)).toString('base64')],
    ];
    for (const [username, password] of logins) {
      const cli = await freshConfig();
      const login = await docker(
        env.dockerHost,
        ['login', '-u', username, '--password-stdin', host],
        cli,
        password,
      );
      expect(login.code, login.stderr).toBe(0);
      await pushAndPullBack(cli, `${host}/my-project/repo/login-${username.replace(/_/g, '')}:v1`);
    }
  });

  it("pushes and pulls after docker login -u _dcgcloud_token, as gcloud's own helper logs in", async () => {
    const cli = await freshConfig();
    const login = await docker(
      env.dockerHost,
      ['login', '-u', '_dcgcloud_token', '--password-stdin', host],
      cli,
      emulator.mintAccessToken(WRITER).accessToken,
    );
    expect(login.code, login.stderr).toBe(0);
    await pushAndPullBack(cli, `${host}/my-project/repo/login-dcgcloud:v1`);
  });

  it('pushes and pulls through a docker credential helper', async () => {
    const helper = await writeStandInCredentialHelper({
      dir: join(work, 'helper'),
      registry: host,
      username: 'oauth2accesstoken',
      secret: emulator.mintAccessToken(WRITER).accessToken,
    });
    await pushAndPullBack(helper.env, `${host}/my-project/repo/helper/app:v1`);
    expect((await helper.calls()).map((call) => call.action)).toContain('get');
  });

  it('refuses a reader push, an unknown repository, a moved immutable tag and pushes to remote or virtual', async () => {
    const readerCli = await freshConfig();
    const readerToken = emulator.mintAccessToken(READER).accessToken;
    ok(
      await docker(
        env.dockerHost,
        ['login', '-u', 'oauth2accesstoken', '--password-stdin', host],
        readerCli,
        readerToken,
      ),
    );
    const archive = await loadImage(readerCli);
    const push = async (cli: Record<string, string>, reference: string) => {
      ok(await docker(env.dockerHost, ['tag', archive.imageId, reference], cli));
      return docker(env.dockerHost, ['push', reference], cli);
    };
    const denied = await push(readerCli, `${host}/my-project/repo/denied:v1`);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('artifactregistry.repositories.uploadArtifacts');
    expect(denied.stderr).toContain(`serviceAccount:${READER}`);

    const ownerCli = await freshConfig();
    const ownerToken = emulator.mintAccessToken(`user:${ADMIN}`).accessToken;
    ok(
      await docker(
        env.dockerHost,
        ['login', '-u', 'oauth2accesstoken', '--password-stdin', host],
        ownerCli,
        ownerToken,
      ),
    );
    const unknown = await push(ownerCli, `${host}/my-project/no-such-repo/app:v1`);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Repository "no-such-repo" not found');

    ok(await push(ownerCli, `${host}/my-project/frozen/app:stable`));
    const other = await loadImage(ownerCli);
    ok(
      await docker(env.dockerHost, ['tag', other.imageId, `${host}/my-project/frozen/app:stable`], ownerCli),
    );
    const moved = await docker(env.dockerHost, ['push', `${host}/my-project/frozen/app:stable`], ownerCli);
    expect(moved.code).not.toBe(0);
    // Artifact Registry's own refusal, as docker prints it.
    expect(moved.stderr).toContain(
      'manifest invalid: cannot update tag stable. The repository has enabled tag immutability',
    );

    for (const repo of ['dist-cache', 'everything']) {
      const readOnly = await push(ownerCli, `${host}/my-project/${repo}/app:v1`);
      expect(readOnly.code, repo).not.toBe(0);
      expect(readOnly.stderr, repo).toMatch(/(remote|virtual) repository/);
    }
  });

  it('pulls through a remote repository cached from the distribution registry, and through a virtual one', async () => {
    const upstreamToken = (await tokenAdminClient(env.tokenAdmin).allow({ kind: 'access_token' })).token!;
    const distCli = await freshConfig();
    ok(
      await docker(
        env.dockerHost,
        ['login', '-u', 'oauth2accesstoken', '--password-stdin', env.registry],
        distCli,
        upstreamToken,
      ),
    );
    const archive = await loadImage(distCli);
    const upstreamName = `${env.registry}/library/cached-app:1`;
    ok(await docker(env.dockerHost, ['tag', archive.imageId, upstreamName], distCli));
    ok(await docker(env.dockerHost, ['push', upstreamName], distCli));
    ok(await docker(env.dockerHost, ['rmi', '-f', archive.imageId], distCli));

    const readerCli = await freshConfig();
    ok(
      await docker(
        env.dockerHost,
        ['login', '-u', 'oauth2accesstoken', '--password-stdin', host],
        readerCli,
        emulator.mintAccessToken(READER).accessToken,
      ),
    );
    for (const reference of [
      `${host}/my-project/dist-cache/library/cached-app:1`,
      `${host}/my-project/everything/library/cached-app:1`,
    ]) {
      ok(await docker(env.dockerHost, ['pull', reference], readerCli));
      const id = ok(
        await docker(env.dockerHost, ['image', 'inspect', '--format', '{{.Id}}', reference], readerCli),
      );
      expect(id.stdout.trim(), reference).toBe(archive.imageId);
      ok(await docker(env.dockerHost, ['rmi', '-f', archive.imageId], readerCli));
    }
  });
});
