// Runs the emulator in its own process (so it does not share CPU accounting or RSS with the
// client under test) and prints {host, username, password} once serving. Stops on SIGTERM.
import { startTestEmulator } from '@ar/emulator/testing';

const fixture = await startTestEmulator({
  project: 'bench-project',
  location: 'us-central1',
  accounts: { bencher: 'roles/artifactregistry.writer' },
  // One AR repository per tool and step: blobs are shared within an AR repository, so a
  // second push into the same one would find everything present.
  repositories: ['ours', 'skopeo', 'ours-copy', 'skopeo-copy', 'floor'],
});
process.stdout.write(
  `${JSON.stringify({ host: fixture.emulator.host(), username: 'oauth2accesstoken', password: fixture.token('bencher') })}\n`,
);
const stop = async () => {
  await fixture.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
