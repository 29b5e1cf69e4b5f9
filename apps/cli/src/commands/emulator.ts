import type { Command } from 'commander';

/** `gar emulator start`: a local Artifact Registry in the foreground until Ctrl-C. */
export async function start(command: Command): Promise<void> {
  const options = command.opts() as {
    port?: string;
    dataDir?: string;
    seed?: string;
    tls?: boolean;
    location?: string[];
  };
  const [{ resolveConfig }, { startEmulator }] = await Promise.all([
    import('@ar/config'),
    import('@ar/emulator'),
  ]);
  const { config } = resolveConfig({ env: process.env });
  const emulator = await startEmulator({
    port: options.port === undefined ? config.emulator.port : Number(options.port),
    ...((options.dataDir ?? config.emulator.dataDir)
      ? { dataDir: options.dataDir ?? config.emulator.dataDir }
      : {}),
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.tls ? { tls: true } : {}),
    ...(options.location?.length ? { locations: options.location } : {}),
  });
  const lines = [
    'Artifact Registry emulator running.',
    ...emulator.locations.map(
      (location) => `  ${location}: ${emulator.url(location)}  (registry host ${emulator.host(location)})`,
    ),
    `  data: ${emulator.dataDir}`,
    '',
    'Point gar, docker-credential-gar and Google clients at it:',
    `  export CLOUDSDK_AUTH_TOKEN_HOST=${emulator.tokenUrl}`,
    `  export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=${emulator.url()}`,
    `  export GAR_ENDPOINTS_IAM_CREDENTIALS_URL=${emulator.url()}`,
    `  export GCE_METADATA_HOST=${emulator.metadataHost}`,
    ...(emulator.caCertPath ? [`  CA certificate to trust: ${emulator.caCertPath}`] : []),
    '',
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.stop();
}
