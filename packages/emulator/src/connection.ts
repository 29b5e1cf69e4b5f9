import type { Emulator } from './emulator.js';
import { arHost } from './names.js';

/**
 * What a client needs to talk to a running emulator, from one place: the `gar emulator start`
 * and `gar-emulator start` banners, their ready and config files, and the test fixture all read it.
 */

/**
 * A gar config (`ArUserConfig`) pointing every Google endpoint and each served location's
 * `LOCATION-docker.pkg.dev` host at the emulator. Written out structurally, so the emulator
 * does not depend on `@ar/config`; `@ar/config` validates it like any file.
 */
export interface EmulatorClientConfig {
  project?: string;
  location?: string;
  repository?: string;
  auth?: { credentialsFile?: string; accessToken?: string };
  endpoints: {
    artifactRegistryUrl: string;
    oauth2TokenUrl: string;
    iamCredentialsUrl: string;
    metadataHost: string;
  };
  registries: Record<string, { endpoint: string; caFile?: string }>;
}

export interface EmulatorConnection {
  /** Base URL of the first location. */
  url: string;
  /** Base URL of each served location. */
  urls: Record<string, string>;
  dataDir: string;
  tokenUrl: string;
  stsUrl: string;
  metadataHost: string;
  caCertPath: string | null;
  /** Credential files the seed had written (`keyFile`, `credentialsFile`), by email. */
  keyFiles: Record<string, string>;
  /** Environment for gcloud and Google's client libraries (gar reads these too). */
  env: Record<string, string>;
  /** A ready gar config; its credentials are the seed's only key file, when it wrote exactly one. */
  garConfig: EmulatorClientConfig;
}

/** The gar config for `emulator`: endpoints, registry hosts, and the credentials given. */
export function emulatorClientConfig(
  emulator: Emulator,
  auth?: EmulatorClientConfig['auth'],
): EmulatorClientConfig {
  const caFile = emulator.caCertPath === undefined ? {} : { caFile: emulator.caCertPath };
  return {
    ...(auth === undefined ? {} : { auth }),
    endpoints: {
      artifactRegistryUrl: emulator.url(),
      oauth2TokenUrl: emulator.tokenUrl,
      iamCredentialsUrl: emulator.url(),
      metadataHost: emulator.metadataHost,
    },
    registries: Object.fromEntries(
      emulator.locations.map((location) => [
        arHost(location),
        { endpoint: emulator.url(location), ...caFile },
      ]),
    ),
  };
}

export function emulatorConnection(emulator: Emulator): EmulatorConnection {
  const keyFiles = { ...emulator.seeded.files };
  const files = Object.values(keyFiles);
  // One file is the obvious identity; with several, the user picks (the banner lists them all).
  const only = files.length === 1 ? files[0] : undefined;
  const url = emulator.url();
  return {
    url,
    urls: Object.fromEntries(emulator.locations.map((location) => [location, emulator.url(location)])),
    dataDir: emulator.dataDir,
    tokenUrl: emulator.tokenUrl,
    stsUrl: emulator.stsUrl,
    metadataHost: emulator.metadataHost,
    caCertPath: emulator.caCertPath ?? null,
    keyFiles,
    env: {
      ...(only === undefined ? {} : { GOOGLE_APPLICATION_CREDENTIALS: only }),
      CLOUDSDK_AUTH_TOKEN_HOST: emulator.tokenUrl,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${url}/`,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${url}/`,
      // gcloud asks Service Usage whether the API is on; the emulator answers at its base URL.
      CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: `${url}/`,
      GCE_METADATA_HOST: emulator.metadataHost,
      GAR_ENDPOINTS_IAM_CREDENTIALS_URL: url,
    },
    garConfig: emulatorClientConfig(emulator, only === undefined ? undefined : { credentialsFile: only }),
  };
}

/** The start-up banner: where it serves, the key files, the environment and the gar config. */
export function formatBanner(connection: EmulatorConnection, configFile?: string): string {
  const emails = Object.keys(connection.keyFiles);
  const lines = [
    'Artifact Registry emulator running.',
    ...Object.entries(connection.urls).map(
      ([location, url]) => `  ${location}: ${url}  (stands in for ${arHost(location)})`,
    ),
    `  data: ${connection.dataDir}`,
    ...(connection.caCertPath === null ? [] : [`  CA certificate to trust: ${connection.caCertPath}`]),
    '',
    emails.length === 0
      ? 'The seed wrote no key file (give a service account a "keyFile" in the seed to get one).'
      : 'Key files the seed wrote (removed on exit when the data dir is temporary):',
    ...emails.map((email) => `  ${email}: ${connection.keyFiles[email]}`),
    ...(emails.length > 1
      ? ['  Use one: export GOOGLE_APPLICATION_CREDENTIALS=<one of the files above>']
      : []),
    '',
    'Point gcloud, Google client libraries, gar and docker-credential-gar at it:',
    ...Object.entries(connection.env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    configFile === undefined
      ? 'A gar config for it (save it and export GAR_CONFIG=<file>, or start with --write-config FILE):'
      : `A gar config for it, written to ${configFile}:`,
    ...(configFile === undefined ? [] : [`  export GAR_CONFIG=${configFile}`]),
    ...JSON.stringify(connection.garConfig, null, 2)
      .split('\n')
      .map((line) => `  ${line}`),
    '',
    'Press Ctrl-C to stop.',
  ];
  return `${lines.join('\n')}\n`;
}
