import type { ServiceAccountKeyFile } from '../auth/identity.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator.js';
import type { Seed } from '../seed.js';
import { RegistryClient } from './registry-client.js';

export const PROJECT = 'my-project';
export const WRITER = `pusher@${PROJECT}.iam.gserviceaccount.com`;
export const READER = `reader@${PROJECT}.iam.gserviceaccount.com`;
export const ADMIN = 'admin@example.com';

/** The seed most tests start from: a writer, a reader, an owner, a mutable and an immutable repository. */
export function standardSeed(): Seed {
  return {
    projects: [
      {
        id: PROJECT,
        iam: [{ role: 'roles/owner', members: [`user:${ADMIN}`] }],
        serviceAccounts: [
          { id: 'pusher', keys: 1 },
          { id: 'reader', keys: 1 },
        ],
        repositories: [
          {
            id: 'repo',
            location: 'us-central1',
            iam: [
              { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] },
              { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${READER}`] },
            ],
          },
          {
            id: 'frozen',
            location: 'us-central1',
            immutableTags: true,
            iam: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }],
          },
          { id: 'public', location: 'us-central1', public: true },
        ],
      },
    ],
  };
}

export interface Fixture {
  emulator: Emulator;
  writerKey: ServiceAccountKeyFile;
  readerKey: ServiceAccountKeyFile;
  writer(): RegistryClient;
  reader(): RegistryClient;
  anonymous(): RegistryClient;
  adminToken(): string;
}

export async function startFixture(options: EmulatorOptions = {}): Promise<Fixture> {
  const emulator = await startEmulator({ seed: standardSeed(), ...options });
  const writerKey = emulator.seeded.serviceAccountKeys[WRITER]![0]!;
  const readerKey = emulator.seeded.serviceAccountKeys[READER]![0]!;
  return {
    emulator,
    writerKey,
    readerKey,
    writer: () =>
      new RegistryClient(emulator.url(), { username: '_json_key', password: JSON.stringify(writerKey) }),
    reader: () =>
      new RegistryClient(emulator.url(), { username: '_json_key', password: JSON.stringify(readerKey) }),
    anonymous: () => new RegistryClient(emulator.url(), undefined),
    adminToken: () => emulator.mintAccessToken(`user:${ADMIN}`).accessToken,
  };
}
