// `gar … --format json` names fields as gcloud does for the same command: both run here against
// the emulator, and their JSON is compared.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { describeWithGcloud, runCommand, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';

const GAR = fileURLToPath(new URL('../../dist/gar.js', import.meta.url));
const PROJECT = 'fields-test';
const HOST = 'us-central1-docker.pkg.dev';
const REPOSITORY = `${HOST}/${PROJECT}/images`;

/** gcloud is on some machines of this kind, not all: elsewhere one loud line says these did not run. */
describeWithGcloud('gar --format json against gcloud --format=json', 2, () => {
  let fixture: TestEmulator;
  let garEnv: NodeJS.ProcessEnv;
  let gcloudEnv: NodeJS.ProcessEnv;
  let tokenFile: string;

  beforeAll(async () => {
    fixture = await startTestEmulator({
      project: PROJECT,
      location: 'us-central1',
      accounts: { 'fields-admin': 'roles/artifactregistry.admin' },
      repositories: [{ id: 'images', description: 'compared' }],
    });
    const work = fixture.work;
    const token = fixture.token('fields-admin');
    tokenFile = join(work, 'token');
    await writeFile(tokenFile, token);
    await writeFile(join(work, 'gar.json'), JSON.stringify(fixture.clientConfig()));
    garEnv = {
      PATH: process.env.PATH,
      HOME: work,
      GAR_CONFIG: join(work, 'gar.json'),
      GAR_ACCESS_TOKEN: token,
    };
    gcloudEnv = {
      PATH: process.env.PATH,
      HOME: work,
      CLOUDSDK_CONFIG: join(work, 'gcloud'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${fixture.emulator.url()}/`,
    };
    const layout = join(fixture.work, 'layout');
    await writeOciLayoutImage(layout, { layerSizes: [2048] });
    const push = await runCommand(
      process.execPath,
      [GAR, 'push', `oci:${layout}`, `${REPOSITORY}/app:1`, '--no-progress'],
      {
        env: garEnv,
      },
    );
    expect(push.code, push.stderr).toBe(0);
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  const json = async (command: string, args: string[], env: NodeJS.ProcessEnv) => {
    const result = await runCommand(command, args, { env, timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const gar = (args: string[]) => json(process.execPath, [GAR, ...args, '--format', 'json'], garEnv);
  const gcloud = (args: string[]) =>
    json(
      'gcloud',
      [...args, `--access-token-file=${tokenFile}`, `--project=${PROJECT}`, '--format=json'],
      gcloudEnv,
    );

  it('images list: the same fields, with the same values', async () => {
    const ours = await gar(['images', 'list', REPOSITORY, '--include-tags']);
    const theirs = await gcloud(['artifacts', 'docker', 'images', 'list', REPOSITORY, '--include-tags']);
    expect(ours).toHaveLength(1);
    expect(Object.keys(ours[0]).sort()).toEqual(Object.keys(theirs[0]).sort());
    // gcloud's metadata is the API's whole version metadata; gar's the part of it it has.
    const { metadata: ourMetadata, ...ourFields } = ours[0];
    const { metadata: theirMetadata, ...theirFields } = theirs[0];
    expect(ourFields).toEqual(theirFields);
    expect(theirMetadata).toMatchObject(ourMetadata);
  });

  it('repositories list and describe: the repository resource', async () => {
    const ours = await gar(['repositories', 'list']);
    const theirs = await gcloud(['artifacts', 'repositories', 'list', '--location=us-central1']);
    expect(ours).toEqual(theirs);
    const described = await gar(['repositories', 'describe', 'images']);
    const theirDescription = await gcloud([
      'artifacts',
      'repositories',
      'describe',
      'images',
      '--location=us-central1',
    ]);
    expect(described).toMatchObject(theirDescription);
  });
});
