import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImageArchive,
  createSigningCertificate,
  e2eEnv,
  loadSigning,
  type RunResult,
  runChecked,
  runCommand,
  signRegistryToken,
  tokenAdminClient,
  writeStandInCredentialHelper,
} from '../../src/index.js';

/**
 * Proves the environment of scripts/e2e-env.sh end to end: an image made here is loaded into
 * the private dockerd, pushed to the token-auth registry with credentials that a stand-in
 * docker credential helper hands out (an access token registered with the token server),
 * removed, and pulled back unchanged.
 */
describe('e2e environment', () => {
  const env = e2eEnv();
  const admin = tokenAdminClient(env.tokenAdmin);
  const image = `${env.registry}/e2e/hello:1`;
  let work: string;

  /** Runs the docker CLI against the private dockerd, with the given DOCKER_CONFIG and PATH. */
  const docker = (args: string[], extra: { DOCKER_CONFIG: string; PATH: string }) => {
    const { DOCKER_CONTEXT: _context, ...inherited } = process.env;
    return runCommand('docker', args, {
      env: { ...inherited, DOCKER_HOST: env.dockerHost, ...extra },
      timeoutMs: 90_000,
    });
  };
  const ok = (result: RunResult) => {
    if (result.code !== 0) {
      throw new Error(
        `docker ${result.args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
      );
    }
    return result;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ar-e2e-test-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('pushes an image through token auth with a credential helper, and pulls it back unchanged', async () => {
    const credential = await admin.allow({ kind: 'access_token' });
    const helper = await writeStandInCredentialHelper({
      dir: join(work, 'good'),
      registry: env.registry,
      username: 'oauth2accesstoken',
      secret: credential.token!,
    });
    const cli = helper.env;

    const archive = await buildImageArchive({ randomBytes: 4096 });
    const tarPath = join(work, 'image.tar');
    await writeFile(tarPath, archive.tar);
    const loaded = ok(await docker(['load', '--input', tarPath], cli));
    expect(loaded.stdout).toContain(`Loaded image ID: ${archive.imageId}`);

    ok(await docker(['tag', archive.imageId, image], cli));
    const push = ok(await docker(['push', image], cli));
    const pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    expect(pushedDigest, push.stdout).toBeDefined();

    // The docker CLI asked the stand-in helper, and the token server granted the push.
    expect((await helper.calls()).map((call) => call.action)).toContain('get');
    // Other tests share the token server: look at this credential's requests only.
    const requests = (await admin.requests()).filter((request) => request.credentialId === credential.id);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.status === 200 && request.login === 'access_token')).toBe(
      true,
    );
    expect(
      requests.some((request) =>
        request.granted.some(
          (scope) =>
            scope.type === 'repository' && scope.name === 'e2e/hello' && scope.actions.includes('push'),
        ),
      ),
    ).toBe(true);

    ok(await docker(['rmi', image], cli));
    const gone = await docker(['image', 'inspect', archive.imageId], cli);
    expect(gone.code).not.toBe(0);

    ok(await docker(['pull', image], cli));
    const inspected = ok(await docker(['image', 'inspect', '--format', '{{json .}}', image], cli));
    const pulled = JSON.parse(inspected.stdout) as { Id: string; RepoDigests: string[] };
    expect(pulled.Id).toBe(archive.imageId);
    expect(pulled.RepoDigests).toContain(`${env.registry}/e2e/hello@${pushedDigest}`);

    ok(await docker(['rmi', image], cli));
  }, 180_000);

  it('refuses a push with a token the token server was never told about', async () => {
    const helper = await writeStandInCredentialHelper({
      dir: join(work, 'bad'),
      registry: env.registry,
      username: 'oauth2accesstoken',
      secret: 'ya29.never-registered',
    });
    const archive = await buildImageArchive();
    const tarPath = join(work, 'refused.tar');
    await writeFile(tarPath, archive.tar);
    ok(await docker(['load', '--input', tarPath], helper.env));
    const refusedImage = `${env.registry}/e2e/refused:1`;
    ok(await docker(['tag', archive.imageId, refusedImage], helper.env));

    const push = await docker(['push', refusedImage], helper.env);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/unauthorized|authentication/i);
    const refusals = (await admin.requests()).filter((request) =>
      request.requested.some((scope) => scope.name === 'e2e/refused'),
    );
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((request) => request.status === 401 && request.login === 'access_token')).toBe(
      true,
    );
    expect(refusals[0]?.reason).toMatch(/unknown access token/);

    ok(await docker(['rmi', refusedImage], helper.env));
  }, 120_000);

  it('lets a reader-only credential pull but not push', async () => {
    const writer = await admin.allow({ kind: 'access_token' });
    const reader = await admin.allow({
      kind: 'access_token',
      access: { repositories: ['e2e/'], actions: ['pull'] },
    });
    const helper = await writeStandInCredentialHelper({
      dir: join(work, 'reader'),
      registry: env.registry,
      username: writer.username,
      secret: writer.password,
    });
    const archive = await buildImageArchive();
    const tarPath = join(work, 'reader.tar');
    await writeFile(tarPath, archive.tar);
    ok(await docker(['load', '--input', tarPath], helper.env));
    const readable = `${env.registry}/e2e/readable:1`;
    ok(await docker(['tag', archive.imageId, readable], helper.env));
    ok(await docker(['push', readable], helper.env));
    ok(await docker(['rmi', readable], helper.env));

    await helper.setAnswer(reader.username, reader.password);
    ok(await docker(['pull', readable], helper.env));
    ok(await docker(['tag', readable, `${env.registry}/e2e/readable:2`], helper.env));
    const push = await docker(['push', `${env.registry}/e2e/readable:2`], helper.env);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/requested access to the resource is denied/);
    const readerRequests = (await admin.requests()).filter((request) => request.credentialId === reader.id);
    expect(
      readerRequests.every((request) => request.granted.every((scope) => scope.actions.join() === 'pull')),
    ).toBe(true);

    ok(await docker(['rmi', readable, `${env.registry}/e2e/readable:2`], helper.env));
  }, 180_000);

  it('runs the environment on loopback, as the variables say', async () => {
    expect(env.registry).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.tokenServer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.dockerHost).toMatch(/^unix:\/\/\//);
    const version = await runChecked('docker', [
      '--host',
      env.dockerHost,
      'version',
      '--format',
      '{{.Server.Version}}',
    ]);
    expect(version.stdout.trim()).not.toBe('');
    const challenge = await fetch(`http://${env.registry}/v2/`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toBe(
      `Bearer realm="${env.tokenServer}/token",service="${env.tokenService}"`,
    );
  });

  it('makes the registry trust tokens signed with AR_E2E_TOKEN_KEY, by x5c or by kid alone', async () => {
    const signing = loadSigning({
      certificatePem: await readFile(env.tokenCert, 'utf8'),
      privateKeyPem: await readFile(env.tokenKey, 'utf8'),
    });
    const claims = {
      issuer: env.tokenIssuer,
      subject: 'minted-in-test',
      audience: env.tokenService,
      access: [{ type: 'registry', name: 'catalog', actions: ['*'] }],
      ttlSeconds: 60,
      now: Date.now(),
    };
    const catalog = async (token: string) =>
      (await fetch(`http://${env.registry}/v2/_catalog`, { headers: { Authorization: `Bearer ${token}` } }))
        .status;

    expect(await catalog((await signRegistryToken(signing, claims)).token)).toBe(200);
    expect(await catalog((await signRegistryToken(signing, claims, { x5c: false })).token)).toBe(200);
    const stranger = loadSigning(await createSigningCertificate());
    expect(await catalog((await signRegistryToken(stranger, claims)).token)).toBe(401);
    expect(
      await catalog((await signRegistryToken(signing, { ...claims, audience: 'another-service' })).token),
    ).toBe(401);
  });
});
