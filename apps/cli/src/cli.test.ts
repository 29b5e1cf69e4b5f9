// The built `gar` as users run it, against the emulator standing in for us-west1-docker.pkg.dev.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@ar/config';
import { createClient } from '@ar/core';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { runCommand, startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ERROR_HINTS } from './error-hints.js';

const GAR = fileURLToPath(new URL('../dist/gar.js', import.meta.url));
const PROJECT = 'cli-tests';
const HOST = 'us-west1-docker.pkg.dev';
let fixture: TestEmulator;
let home: string;
let env: Record<string, string>;
let readerToken: string;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'cli-admin': 'roles/artifactregistry.admin', 'cli-reader': 'roles/artifactregistry.reader' },
    repositories: ['apps', { id: 'releases', immutableTags: true }],
  });
  home = fixture.work;
  // The config a user writes once (where the registry and APIs are); the defaults and the token
  // come from the environment, so a test can take them away (and read gcloud's configuration).
  const { project: _, location: __, ...endpoints } = fixture.clientConfig();
  writeFileSync(join(home, 'gar.json'), JSON.stringify(endpoints));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    GAR_CONFIG: join(home, 'gar.json'),
    GAR_PROJECT: fixture.project,
    GAR_LOCATION: fixture.location,
    GAR_REPOSITORY: 'apps',
    GAR_ACCESS_TOKEN: fixture.token('cli-admin'),
    DOCKER_CONFIG: join(home, 'docker'),
  };
  readerToken = fixture.token('cli-reader');
});
afterAll(async () => {
  await fixture?.stop();
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Pushes a fresh image as `reference` through @ar/core, with gar's config (a test not about `gar push`). */
async function pushed(reference: string): Promise<string> {
  const layout = join(home, `${reference.replace(/[^a-z0-9]+/g, '-')}-layout`);
  const built = await writeOciLayoutImage(layout, { layerSizes: [1024] });
  const client = createClient(resolveConfig({ env, homeDir: home, cwd: home }).config);
  try {
    await client.push(`oci:${layout}`, reference);
  } finally {
    await client.close();
  }
  return built.root.digest;
}

/** Runs the built gar as users do, in the test user's environment plus `extra`. */
async function gar(args: string[], extra: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runCommand(process.execPath, [GAR, ...args], {
    env: { ...env, ...extra },
  });
  return { status: code, stdout, stderr };
}

describe('gar', () => {
  it('lists every command in --help, and prints its version', async () => {
    const help = await gar(['--help']);
    expect(help.status).toBe(0);
    for (const command of [
      'auth',
      'images',
      'repositories',
      'push',
      'pull',
      'tag',
      'copy',
      'emulator',
      'doctor',
      'completion',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    const auth = await gar(['auth', '--help']);
    for (const command of ['configure-docker', 'print-access-token', 'status'])
      expect(auth.stdout).toContain(command);
    const images = await gar(['images', '--help']);
    for (const command of ['list', 'describe', 'resolve', 'delete']) expect(images.stdout).toContain(command);
    // Every option the README documents for push is one the command takes.
    const push = await gar(['push', '--help']);
    for (const option of ['--via <path>', '--compress']) expect(push.stdout).toContain(option);
    expect(await gar(['--version'])).toMatchObject({ status: 0, stdout: '0.0.0\n' });
  });

  it('exits 2 on usage errors (unknown option, command, missing argument), saying so on stderr', async () => {
    for (const args of [
      ['images', 'list', '--bogus'],
      ['images', 'lsit'],
      ['images', 'describe'],
      ['frobnicate'],
    ]) {
      const run = await gar(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: (unknown option|unknown command|missing required argument)/);
    }
  });

  it('shows the global flags in every subcommand’s help, and the Docker engine as a push source', async () => {
    for (const args of [['images', 'list'], ['repositories', 'describe'], ['auth', 'status'], ['push']]) {
      const help = await gar([...args, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('Global Options:');
      for (const flag of ['--project <id>', '--location <location>', '--format <format>'])
        expect(help.stdout).toContain(flag);
    }
    expect((await gar(['push', '--help'])).stdout).toMatch(/local Docker[\s\S]*engine/);
  });

  it('takes comma-separated hosts as gcloud does, and warns of an unknown location with the nearest one', async () => {
    const run = await gar([
      'auth',
      'configure-docker',
      `${HOST},us-west-1-docker.pkg.dev`,
      'europe-docker.pkg.dev',
      '--dry-run',
    ]);
    expect(run.status, run.stderr).toBe(0);
    for (const host of [HOST, 'us-west-1-docker.pkg.dev', 'europe-docker.pkg.dev'])
      expect(run.stdout).toContain(`"${host}": "gar"`);
    expect(run.stderr).toBe(
      'warning: us-west-1-docker.pkg.dev: "us-west-1" is not a known Artifact Registry location; did you mean "us-west1"? (see `gcloud artifacts locations list`)\n',
    );
  });

  it('takes project, location and repository from gcloud’s active configuration, and says so', async () => {
    const gcloud = join(home, 'gcloud');
    mkdirSync(join(gcloud, 'configurations'), { recursive: true });
    writeFileSync(join(gcloud, 'active_config'), 'cli');
    writeFileSync(
      join(gcloud, 'configurations', 'config_cli'),
      `[core]\nproject = ${PROJECT}\n\n[artifacts]\nlocation = us-west1\nrepository = releases\n`,
    );
    const gcloudEnv = { CLOUDSDK_CONFIG: gcloud, GAR_PROJECT: '', GAR_LOCATION: '', GAR_REPOSITORY: '' };
    const source = `gcloud configuration "cli" (${join(gcloud, 'configurations', 'config_cli')})`;
    const status = await gar(['auth', 'status'], gcloudEnv);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`\\nrepository: +releases \\(from ${escapeRegExp(source)}\\)\\n`),
    );
    expect(status.stdout).toMatch(
      new RegExp(`\\nproject: +${PROJECT} \\(from ${escapeRegExp(source)}\\)\\n`),
    );
    const json = JSON.parse(
      (await gar(['auth', 'status', '--format', 'json'], { ...gcloudEnv, GAR_LOCATION: 'us-west1' })).stdout,
    );
    expect(json.config).toEqual({
      project: { value: PROJECT, from: source },
      location: { value: 'us-west1', from: 'GAR_LOCATION' },
      repository: { value: 'releases', from: source },
    });
    // Short names now complete against the gcloud defaults.
    const list = await gar(['repositories', 'describe', '--format', 'json'], gcloudEnv);
    expect(JSON.parse(list.stdout).name).toBe(`projects/${PROJECT}/locations/us-west1/repositories/releases`);
  });

  it('prints every list and describe in every --format, and JSON and YAML parse back to the same data', async () => {
    const layout = join(home, 'formats');
    await writeOciLayoutImage(layout, { layerSizes: [1024] });
    // In `releases`, so the listing of `apps` other tests check stays theirs.
    const image = `${HOST}/${PROJECT}/releases/formats:1`;
    expect((await gar(['push', `oci:${layout}`, image, '--no-progress'])).status).toBe(0);
    const commands = [
      ['images', 'list', `${HOST}/${PROJECT}/releases/formats`, '--include-tags'],
      ['images', 'describe', image],
      ['repositories', 'list'],
      ['repositories', 'describe', 'apps'],
      ['auth', 'status'],
    ];
    for (const command of commands) {
      const table = await gar([...command, '--format', 'table']);
      expect(table.status, `${command.join(' ')}: ${table.stderr}`).toBe(0);
      expect(table.stdout.trim()).not.toBe('');
      const json = await gar([...command, '--format', 'json']);
      expect(json.status, `${command.join(' ')}: ${json.stderr}`).toBe(0);
      const yaml = await gar([...command, '--format', 'yaml']);
      expect(yaml.status, `${command.join(' ')}: ${yaml.stderr}`).toBe(0);
      const data = JSON.parse(json.stdout);
      expect(data).not.toEqual([]);
      expect(parseYaml(yaml.stdout), command.join(' ')).toEqual(data);
    }
  }, 180_000);

  it('configures Docker for the hosts named, shows a dry run as a diff, and refuses to guess hosts', async () => {
    const dry = await gar(['auth', 'configure-docker', HOST, '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`\\n\\+\\s+"${HOST}": "gar"`));
    expect((await gar(['auth', 'configure-docker', HOST])).status).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'docker', 'config.json'), 'utf8'))).toEqual({
      credHelpers: { [HOST]: 'gar' },
    });
    const none = await gar(['auth', 'configure-docker']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name the registry hosts');
  });

  it('refuses to edit a Docker config whose credHelpers is not an object (exit 8), leaving it byte for byte', async () => {
    const dockerDir = join(home, 'docker-odd');
    mkdirSync(dockerDir, { recursive: true });
    const odd = '{\n  "credHelpers": "gcloud"\n}\n';
    writeFileSync(join(dockerDir, 'config.json'), odd);
    const result = await gar(['auth', 'configure-docker', HOST], { DOCKER_CONFIG: dockerDir });
    expect(result.status).toBe(8);
    expect(result.stderr).toContain('"credHelpers"');
    expect(result.stderr).toContain('Fix it by hand');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(readFileSync(join(dockerDir, 'config.json'), 'utf8')).toBe(odd);
  });

  it('says in tag --help that it tags in the local engine unless --remote is given', async () => {
    const help = await gar(['tag', '--help']);
    expect(help.status).toBe(0);
    const description = help.stdout.split('\n\n')[1] ?? '';
    expect(description).toMatch(/local Docker engine/);
    expect(description).toMatch(/--remote.*registry/s);
  });

  it('prints an access token, the crictl --creds value, and where it came from', async () => {
    expect((await gar(['auth', 'print-access-token'])).stdout).toBe(`${env.GAR_ACCESS_TOKEN}\n`);
    expect((await gar(['auth', 'print-access-token', '--format', 'crictl'])).stdout).toBe(
      `oauth2accesstoken:${env.GAR_ACCESS_TOKEN}\n`,
    );
    const status = JSON.parse((await gar(['auth', 'status', '--format', 'json'])).stdout);
    expect(status).toMatchObject({ source: 'access-token', expiresAt: 'unknown (static token)' });
  });

  it('lists, creates and describes repositories', async () => {
    const created = await gar([
      'repositories',
      'create',
      'staging',
      '--immutable-tags',
      '--description',
      'pre-release',
    ]);
    expect(created).toMatchObject({
      status: 0,
      stdout: `Created projects/${PROJECT}/locations/us-west1/repositories/staging.\n`,
    });
    const list = await gar(['repositories', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^REPOSITORY\s+FORMAT\s+MODE\s+IMMUTABLE_TAGS\s+DESCRIPTION$/);
    expect(list.stdout).toMatch(/staging\s+DOCKER\s+standard\s+yes\s+pre-release/);
    const described = JSON.parse(
      (await gar(['repositories', 'describe', 'staging', '--format', 'json'])).stdout,
    );
    expect(described).toMatchObject({ dockerConfig: { immutableTags: true }, description: 'pre-release' });
  });

  // One behaviour a test, each with its own image, and what a test is not about set up in-process:
  // every gar run is a Node start and a bundle load (about 0.5 s of CPU), which a loaded machine
  // stretches to seconds of wall time.
  it('pushes an OCI layout and lists it with its tags, as a table and as JSON', async () => {
    const layout = join(home, 'layout');
    const built = await writeOciLayoutImage(layout, { layerSizes: [2048] });
    const push = await gar(['push', `oci:${layout}`, 'web:1', '--no-progress']);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).toContain(`digest: ${built.root.digest}`);

    const table = await gar(['images', 'list', 'apps', '--include-tags']);
    expect(table.stdout.split('\n')[0]).toMatch(/^IMAGE\s+DIGEST\s+TAGS\s+CREATE_TIME\s+UPDATE_TIME$/);
    expect(table.stdout).toContain(`${HOST}/${PROJECT}/apps/web  ${built.root.digest}  1  `);
    const json = JSON.parse(
      (await gar(['images', 'list', `${HOST}/${PROJECT}/apps/web`, '--include-tags', '--format', 'json']))
        .stdout,
    );
    // gcloud artifacts docker images list --format=json names the same fields so.
    expect(json).toEqual([
      expect.objectContaining({
        package: `${HOST}/${PROJECT}/apps/web`,
        version: built.root.digest,
        tags: ['1'],
        metadata: { imageSizeBytes: expect.stringMatching(/^\d+$/), mediaType: built.root.mediaType },
      }),
    ]);
    expect(Object.keys(json[0]).sort()).toEqual([
      'createTime',
      'metadata',
      'package',
      'tags',
      'updateTime',
      'version',
    ]);
  });

  it('tags in the registry with --remote, and describes the image by its new tag', async () => {
    const digest = await pushed('tagged:1');
    expect((await gar(['tag', 'tagged:1', 'tagged:stable', '--remote'])).status).toBe(0);
    const described = JSON.parse(
      (await gar(['images', 'describe', 'tagged:stable', '--format', 'json'])).stdout,
    );
    // gcloud artifacts docker images describe --format=json: `image_summary`.
    expect(described).toMatchObject({
      image_summary: {
        digest,
        fully_qualified_digest: `${HOST}/${PROJECT}/apps/tagged@${digest}`,
        registry: HOST,
        repository: 'apps',
      },
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(described.tags.sort()).toEqual(['1', 'stable']);
  });

  it('copies to another repository, and pulls it back to an OCI layout', async () => {
    const digest = await pushed('copied:1');
    const copy = await gar(['copy', 'copied:1', `${HOST}/${PROJECT}/releases/copied:1`, '--no-progress']);
    expect(copy.status, copy.stderr).toBe(0);
    const pulled = await gar([
      'pull',
      `${HOST}/${PROJECT}/releases/copied:1`,
      '--to',
      `oci:${join(home, 'pulled')}`,
      '--no-progress',
    ]);
    expect(pulled.status, pulled.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(home, 'pulled', 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(digest);
  });

  it('plans a recursive copy with --dry-run, writing nothing, and refuses flags of the other copy mode (exit 2)', async () => {
    const digest = await pushed('tree/app:1');
    const plan = await gar([
      'copy',
      '-r',
      `${HOST}/${PROJECT}/apps/tree`,
      `${HOST}/${PROJECT}/releases/tree`,
      '--dry-run',
    ]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `copy ${HOST}/${PROJECT}/apps/tree/app@${digest} → ${HOST}/${PROJECT}/releases/tree/app (1): not at the destination`,
    );
    const described = await gar(['images', 'describe', `${HOST}/${PROJECT}/releases/tree/app:1`]);
    expect(described.status).toBe(5);
    for (const args of [
      ['copy', '-r', 'a.example/x', 'b.example/y', '--all-tags'],
      ['copy', 'app:1', 'app:2', '--dry-run'],
    ]) {
      const run = await gar(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error: --(all-tags cannot be used with|dry-run needs) --recursive/);
    }
  });

  it('deletes a tagged image only with --delete-tags', async () => {
    const digest = await pushed('deleted:1');
    const refused = await gar(['images', 'delete', `deleted@${digest}`]);
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--delete-tags');
    expect((await gar(['images', 'delete', `deleted@${digest}`, '--delete-tags'])).status).toBe(0);
  });

  it('gzips uncompressed layers with --compress, keeping the config (the image ID)', async () => {
    const layout = join(home, 'plain-layout');
    const built = await writeOciLayoutImage(layout, { layerSizes: [4096], gzipLevel: 'none' });
    const sourceManifest = JSON.parse(
      readFileSync(join(layout, 'blobs', 'sha256', built.root.digest.slice(7)), 'utf8'),
    );
    const push = await gar(['push', `oci:${layout}`, 'plain:1', '--compress', '--no-progress']);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).not.toContain(built.root.digest);
    const out = join(home, 'compressed');
    expect((await gar(['pull', 'plain:1', '--to', `oci:${out}`, '--no-progress'])).status).toBe(0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    const manifest = JSON.parse(
      readFileSync(join(out, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'),
    );
    expect(manifest.config.digest).toBe(sourceManifest.config.digest);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
    ]);
  });

  it('exits 2 for a bad image name or config value, and 5 for a missing repository, saying what to do', async () => {
    const bad = await gar(['images', 'describe', `${HOST}/${PROJECT}/apps/Web:1`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*lowercase/);
    const unknown = await gar(['repositories', 'describe', 'missing-repo']);
    expect(unknown.status).toBe(5);
    // The library says what happened; gar's own hint says which command shows what exists.
    expect(unknown.stderr).toMatch(/^error: .*\nhint: `gar repositories list` shows/);
    const config = await gar(['repositories', 'list', '--format', 'xml']);
    expect(config.status).toBe(2);
    expect(config.stderr).toContain(
      'output.format: must be one of "table", "json", "yaml", got "xml" (from --format)',
    );
  });

  it('exits 3 without credentials and 4 without permission, saying what to do', async () => {
    const noCredentials = await gar(['repositories', 'list'], { GAR_ACCESS_TOKEN: '' });
    expect(noCredentials.status).toBe(3);
    expect(noCredentials.stderr).toContain('No Google credentials found');
    const denied = await gar(['repositories', 'create', 'not-allowed'], { GAR_ACCESS_TOKEN: readerToken });
    expect(denied.status).toBe(4);
    expect(denied.stderr).toContain('roles/artifactregistry');
  });

  it('exits 6 pushing another image under an immutable tag', async () => {
    await pushed(`${HOST}/${PROJECT}/releases/app:1`);
    const layout = join(home, 'other');
    await writeOciLayoutImage(layout, { layerSizes: [512] });
    const immutable = await gar([
      'push',
      `oci:${layout}`,
      `${HOST}/${PROJECT}/releases/app:1`,
      '--no-progress',
    ]);
    expect(immutable.status).toBe(6);
    expect(immutable.stderr).toMatch(/immutable/i);
  });

  it('exits 8 for a bad local archive and hints how gar writes one', async () => {
    const notATar = join(home, 'empty.tar');
    writeFileSync(notATar, Buffer.alloc(1024)); // an empty tar: two zero blocks, no manifest.json
    const archive = await gar(['push', `docker-archive:${notATar}`, 'empty:1', '--no-progress']);
    expect(archive.status).toBe(8);
    expect(archive.stderr).toMatch(
      /^error: .* is not a docker-save tar \(no manifest\.json\)\. Make it with `docker save`\.\n/,
    );
    expect(archive.stderr).toContain(
      'hint: gar writes both kinds: `gar pull IMAGE --to docker-archive:FILE`',
    );
  });

  it('names in its hints only commands and flags that exist', async () => {
    const named = new Map<string, Set<string>>();
    for (const hint of Object.values(ERROR_HINTS)) {
      for (const [, words, flags] of hint.matchAll(
        /`gar ((?:[a-z][a-z-]* ?)+)((?:[A-Z]+ )?(?:--[a-z-]+[^`]*)?)`/g,
      )) {
        const command = words!.trim();
        const set = named.get(command) ?? new Set<string>();
        for (const [flag] of flags!.matchAll(/--[a-z-]+/g)) set.add(flag);
        named.set(command, set);
      }
    }
    expect(named.size).toBeGreaterThan(3);
    for (const [command, flags] of named) {
      const help = await gar([...command.split(' ').filter(Boolean), '--help']);
      expect(help.status, `gar ${command} --help`).toBe(0);
      for (const flag of flags) expect(help.stdout, `gar ${command} ${flag}`).toContain(flag);
    }
  });

  it('lists repositories and images when the REST API answers 503 twice, then 200', async () => {
    const proxy = await startFaultProxy({ target: fixture.emulator.url() });
    try {
      const through = { CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: proxy.url };
      proxy.inject({
        method: 'GET',
        path: /\/repositories\?/,
        times: 2,
        fault: { kind: 'status', status: 503 },
      });
      const repositories = await gar(['repositories', 'list', '--verbose'], through);
      expect(repositories.status, repositories.stderr).toBe(0);
      expect(repositories.stdout).toMatch(/^apps\s+DOCKER/m);
      expect(repositories.stderr).toMatch(
        /retry 2 of GET .*\/repositories\?pageSize=1000 in \d+ ms: HTTP 503/,
      );
      proxy.inject({
        method: 'GET',
        path: /\/dockerImages\?/,
        times: 2,
        fault: { kind: 'status', status: 503 },
      });
      const images = await gar(['images', 'list', 'apps'], through);
      expect(images.status, images.stderr).toBe(0);
      expect(proxy.pending()).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('shows every request with --verbose, and never a token', async () => {
    await pushed('verbose:1');
    const run = await gar(['images', 'describe', `${HOST}/${PROJECT}/apps/verbose:1`, '--verbose']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /> GET http:\/\/127\.0\.0\.1:\d+\/v2\/cli-tests\/apps\/verbose\/manifests\/1 → 200 \(\d+ ms\)/,
    );
    expect(run.stderr).not.toContain(env.GAR_ACCESS_TOKEN!);
    const list = await gar(['repositories', 'list', '--verbose']);
    expect(list.stderr).toMatch(
      /> GET http:\/\/127\.0\.0\.1:\d+\/v1\/projects\/cli-tests\/locations\/us-west1\/repositories\?pageSize=1000 → 200/,
    );
    expect(list.stderr).not.toContain(env.GAR_ACCESS_TOKEN!);
  });

  it('prints completion scripts that know the commands', async () => {
    const bash = await gar(['completion', 'bash']);
    expect(bash.stdout).toContain('complete -F _gar gar');
    expect(bash.stdout).toContain('"images") words="list describe resolve delete');
    const fish = await gar(['completion', 'fish']);
    expect(fish.stdout).toContain(
      "complete -c gar -f -n '__fish_seen_subcommand_from auth' -a 'configure-docker'",
    );
  });

  it('runs doctor: every check passes, or the failing one says what to do', async () => {
    await gar(['auth', 'configure-docker', HOST]);
    const nodeOnly = dirname(process.execPath);
    const missing = await gar(['doctor'], { PATH: nodeOnly });
    expect(missing.stdout).toMatch(/ok\s+config/);
    expect(missing.stdout).toMatch(/ok\s+token\s+access-token/);
    expect(missing.stdout).toMatch(/ok\s+api\s+.* answers/);
    expect(missing.stdout).toMatch(/ok\s+registry .*\/v2\/ answers with these credentials/);
    expect(missing.stdout).toMatch(
      /FAIL\s+docker .*gar handles us-west1-docker.pkg.dev; docker-credential-gar is not on PATH/,
    );
    expect(missing.stdout).toContain('Install @ar/docker-credential-gar');
    expect(missing.status).toBe(1);
    const bin = join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'docker-credential-gar'), '#!/bin/sh\n', { mode: 0o755 });
    const healthy = await gar(['doctor'], { PATH: `${bin}:${nodeOnly}` });
    expect(healthy.stdout).not.toContain('FAIL');
    expect(healthy.status).toBe(0);
    expect(healthy.stdout).toMatch(
      /ok\s+config .*project cli-tests \(from GAR_PROJECT\), location us-west1 \(from GAR_LOCATION\), repository apps \(from GAR_REPOSITORY\)/,
    );

    // A typo'd location, in the config or in Docker's credHelpers, passes with a warning.
    expect((await gar(['auth', 'configure-docker', 'us-west-1-docker.pkg.dev'])).status).toBe(0);
    const typo = await gar(['doctor'], {
      PATH: `${bin}:${nodeOnly}`,
      GAR_PROJECT: '',
      GAR_LOCATION: 'us-west-1',
    });
    expect(typo.stdout).toMatch(
      /warn\s+location "us-west-1" is not a known Artifact Registry location; did you mean "us-west1"\? .*\(from GAR_LOCATION\)/,
    );
    expect(typo.stdout).toMatch(
      /warn\s+docker\s+credHelpers: us-west-1-docker.pkg.dev: .*did you mean "us-west1"/,
    );
    expect(typo.status).toBe(0);
  });
});

describe('gar emulator start', () => {
  it("shows the emulator's own options, the ones gar-emulator start takes", async () => {
    const help = await gar(['emulator', 'start', '--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toMatch(/^Usage: gar emulator start \[options\]/);
    for (const option of [
      '--location LOC',
      '--token-ttl SECONDS',
      '--ready-file FILE',
      '--write-config FILE',
    ])
      expect(help.stderr).toContain(option);
  });

  it('serves the seed, and the gar config it writes works as it stands: its key, endpoints and host', async () => {
    const dir = join(home, 'emulator-start');
    mkdirSync(dir);
    const seed = join(dir, 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        projects: [
          {
            id: 'door-tests',
            serviceAccounts: [{ id: 'door-admin', keyFile: 'door-admin.json' }],
            iam: [
              {
                role: 'roles/artifactregistry.admin',
                members: ['serviceAccount:door-admin@door-tests.iam.gserviceaccount.com'],
              },
            ],
            repositories: [{ id: 'door', location: 'us-west1' }],
          },
        ],
      }),
    );
    const configFile = join(dir, 'gar.json');
    const child = spawn(
      process.execPath,
      [GAR, 'emulator', 'start', '--seed', seed, '--location', 'us-west1', '--write-config', configFile],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let banner = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          banner += chunk;
          if (banner.includes('Press Ctrl-C to stop.')) resolve();
        });
        exited.then((code) => reject(new Error(`gar emulator start exited ${code}: ${banner}`)));
      });
      const keyFile = join(dir, 'door-admin.json');
      expect(banner).toMatch(
        /^ {2}us-west1: http:\/\/127\.0\.0\.1:\d+ {2}\(stands in for us-west1-docker\.pkg\.dev\)$/m,
      );
      expect(banner).toContain(`export GOOGLE_APPLICATION_CREDENTIALS=${keyFile}`);
      expect(banner).toContain(`export GAR_CONFIG=${configFile}`);
      const user = { GAR_CONFIG: configFile, GAR_ACCESS_TOKEN: '' };
      const status = await gar(['auth', 'status', '--format', 'json'], user);
      expect(JSON.parse(status.stdout)).toMatchObject({ source: 'service-account-key' });
      const list = await gar(
        ['repositories', 'list', '--project', 'door-tests', '--location', 'us-west1'],
        user,
      );
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^door\s/m);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Its data dir was temporary: the key in that file died with it, and so did the file.
      expect(existsSync(keyFile)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
