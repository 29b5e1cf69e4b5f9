import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Fixture, startFixture } from '../testing/fixture.js';
import { makeImage } from '../testing/registry-client.js';

/** Google's own Node client (its REST fallback) pointed at the emulator with `apiEndpoint`. */
let fx: Fixture;
let client: ArtifactRegistryClient;
beforeAll(async () => {
  fx = await startFixture();
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: fx.emulator.mintAccessToken(`user:${ADMIN}`).accessToken });
  const url = new URL(fx.emulator.url());
  client = new ArtifactRegistryClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    authClient,
    // google-gax holds its own copy of google-auth-library 10: same API, another class identity.
  } as unknown as ConstructorParameters<typeof ArtifactRegistryClient>[0]);
});
afterAll(async () => {
  await client?.close();
  await fx.emulator.stop();
});

describe('@google-cloud/artifact-registry (REST fallback) against the emulator', () => {
  it('creates, gets and lists repositories', async () => {
    const parent = 'projects/my-project/locations/us-central1';
    const [operation] = await client.createRepository({
      parent,
      repositoryId: 'from-node-client',
      repository: {
        format: 'DOCKER',
        description: 'made by the Google client',
        dockerConfig: { immutableTags: true },
      },
    });
    const [created] = await operation.promise();
    expect(created.name).toBe(`${parent}/repositories/from-node-client`);
    const [repository] = await client.getRepository({ name: `${parent}/repositories/from-node-client` });
    expect(repository.description).toBe('made by the Google client');
    expect(repository.dockerConfig?.immutableTags).toBe(true);
    const [repositories] = await client.listRepositories({ parent });
    expect(repositories.map((repo) => repo.name)).toContain(`${parent}/repositories/from-node-client`);
  });

  it('lists docker images with their tags', async () => {
    const image = makeImage();
    expect((await fx.writer().pushImage('my-project/repo/node-client', image, 'v3')).status).toBe(201);
    const [images] = await client.listDockerImages({
      parent: 'projects/my-project/locations/us-central1/repositories/repo',
    });
    const found = images.find((entry) => entry.uri?.endsWith(image.digest));
    expect(found?.tags).toEqual(['v3']);
    expect(Number(found?.imageSizeBytes)).toBeGreaterThan(0);
  });
});
