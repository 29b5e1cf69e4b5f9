// Runs the emulator in its own process (so it does not share CPU accounting or RSS with the
// client under test) and prints {host, username, password} once serving. Stops on SIGTERM.
import { startEmulator } from '@ar/emulator';

const WRITER = 'bencher@bench-project.iam.gserviceaccount.com';
const emulator = await startEmulator({
  seed: {
    projects: [
      {
        id: 'bench-project',
        serviceAccounts: [{ id: 'bencher' }],
        // One AR repository per tool and step: blobs are shared within an AR repository, so a
        // second push into the same one would find everything present.
        iam: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }],
        repositories: ['ours', 'skopeo', 'ours-copy', 'skopeo-copy'].map((id) => ({
          id,
          location: 'us-central1',
        })),
      },
    ],
  },
});
const token = emulator.mintAccessToken(`serviceAccount:${WRITER}`, { ttlSeconds: 3600 }).accessToken;
process.stdout.write(
  `${JSON.stringify({ host: emulator.host(), username: 'oauth2accesstoken', password: token })}\n`,
);
const stop = async () => {
  await emulator.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
