import { z } from 'zod';

/**
 * The one config model. This schema is the source of the TypeScript types, the defaults, the
 * environment variable names (see env.ts) and the shipped JSON Schema (scripts/write-schema.mjs).
 *
 * Two custom JSON Schema keywords drive behaviour: `x-secret` (the value is never echoed in an
 * error) and `x-path` (a file path: `~` expands, relative paths resolve against the file they
 * came from).
 */

const secret = { 'x-secret': true } as const;
const path = { 'x-path': true } as const;

const int = (min: number, max: number) =>
  z.int().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const TOKEN_SOURCES = ['access-token', 'service-account-key', 'adc', 'metadata', 'gcloud'] as const;

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const authSchema = z
  .strictObject({
    sources: z
      // Built-in names, or a plugin's (see @ar/core plugins).
      .array(
        z.union([
          z.enum(TOKEN_SOURCES),
          z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a token source name'),
        ]),
      )
      .min(1, 'must name at least one token source')
      .default(['access-token', 'service-account-key', 'adc', 'metadata'])
      .describe('Token sources tried in order; "gcloud" is opt-in.'),
    credentialsFile: z
      .string()
      .min(1)
      .optional()
      .meta(path)
      .describe(
        'A Google credentials JSON file: service-account key, authorized_user, external_account or impersonated_service_account.',
      ),
    keyMode: z
      .enum(['exchange', 'json-key', 'json-key-base64'])
      .default('exchange')
      .describe(
        'How a service-account key reaches the registry: exchanged for an OAuth token, or sent as the _json_key / _json_key_base64 username.',
      ),
    accessToken: z.string().min(1).optional().meta(secret).describe('A static OAuth access token.'),
    accessTokenFile: z
      .string()
      .min(1)
      .optional()
      .meta(path)
      .describe('A file holding an OAuth access token.'),
    impersonateServiceAccount: z
      .email('must be a service account email')
      .optional()
      .describe('Service account to impersonate on top of the source credential.'),
    delegates: z
      .array(z.email('must be a service account email'))
      .default([])
      .describe('Delegation chain for impersonation, in order.'),
    scopes: z.array(httpUrl).min(1).default([CLOUD_PLATFORM_SCOPE]),
    gcloudConfigDir: z
      .string()
      .min(1)
      .optional()
      .meta(path)
      .describe('gcloud configuration directory, where its ADC file lives (default ~/.config/gcloud).'),
    cacheDir: z
      .string()
      .min(1)
      .optional()
      .meta(path)
      .describe('Per-user token cache directory (default $XDG_CACHE_HOME/gar or ~/.cache/gar).'),
    refreshMarginSeconds: int(0, 3000)
      .default(600)
      .describe('A cached token with less life left than this is never handed out.'),
    registryUsername: z
      .enum(['oauth2accesstoken', '_dcgcloud_token'])
      .default('oauth2accesstoken')
      .describe(
        'Username sent with an access token; _dcgcloud_token matches gcloud and docker-credential-gcr.',
      ),
  })
  .describe('Credentials for Google registries and APIs.');

const endpointsSchema = z
  .strictObject({
    oauth2TokenUrl: httpUrl.default('https://oauth2.googleapis.com/token'),
    metadataHost: z
      .string()
      .regex(/^[A-Za-z0-9.[\]:-]+$/, 'must be HOST or HOST:PORT')
      .default('metadata.google.internal')
      .describe('GCE metadata server, HOST[:PORT] as in GCE_METADATA_HOST.'),
    iamCredentialsUrl: httpUrl.default('https://iamcredentials.googleapis.com'),
    artifactRegistryUrl: httpUrl.default('https://artifactregistry.googleapis.com'),
  })
  .describe('Google endpoints; point them all at the emulator to work without Google.');

const registrySchema = z.strictObject({
  endpoint: httpUrl.optional().describe('Base URL used instead of https://HOST, e.g. http://127.0.0.1:5000.'),
  insecure: z.boolean().default(false).describe('Allow plain HTTP and unverified TLS to this registry.'),
  caFile: z.string().min(1).optional().meta(path).describe('PEM bundle trusted for this registry.'),
  google: z
    .boolean()
    .default(false)
    .describe('Treat as a Google registry: Google credentials may be sent to it (e.g. the emulator).'),
});

const transferSchema = z.strictObject({
  concurrency: int(1, 64)
    .default(4)
    .describe('Blobs transferred in parallel (over a whole `copy --recursive` run).'),
  jobs: int(1, 64).default(8).describe('Images copied in parallel by `copy --recursive`.'),
  retries: int(0, 20).default(4).describe('Retries of a safe-to-repeat request.'),
  requestTimeoutSeconds: int(1, 3600).default(300).describe('Idle time after which a request is abandoned.'),
});

const dockerSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .optional()
    .describe('Engine address as in DOCKER_HOST (unix://, tcp://, npipe://).'),
  configDir: z.string().min(1).optional().meta(path).describe('Docker config directory (default ~/.docker).'),
  certPath: z.string().min(1).optional().meta(path).describe('TLS client certificates, as DOCKER_CERT_PATH.'),
  tlsVerify: z.boolean().default(false).describe('Verify the engine TLS certificate, as DOCKER_TLS_VERIFY.'),
});

const grantSchema = z.strictObject({
  prefix: z.string().min(1).describe('Repository prefix, e.g. us-docker.pkg.dev/my-project/releases.'),
  role: z.enum(['read', 'write', 'admin']),
});

const callerSchema = z.strictObject({
  name: z.string().min(1),
  apiKeySha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/, 'must be the lowercase hex SHA-256 of the API key')
    .optional()
    .meta(secret),
  email: z.email().optional().describe('Identity of a Google-signed ID token.'),
  grants: z.array(grantSchema).default([]),
});

const ttlSeconds = (max: number) =>
  z
    .number()
    .gt(0, 'must be more than 0 (api.cache.enabled: false turns the cache off)')
    .max(max, `must be at most ${max}`);

const apiCacheSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Cache upstream reads of resolve and describe.'),
    tagTtlSeconds: ttlSeconds(3600)
      .default(5)
      .describe(
        'How long a tag → digest lookup, an image listing (tags, sizes) and an upstream check are kept: the most a cached answer lags behind a tag move.',
      ),
    metadataTtlSeconds: ttlSeconds(86_400)
      .default(300)
      .describe('How long repository metadata (mode, upstream policies) is kept.'),
    manifestMebibytes: int(1, 4096)
      .default(64)
      .describe('Memory for manifests kept by digest (they never change; least recently used go first).'),
  })
  .describe('The cache of upstream reads; a request with Cache-Control: no-cache bypasses it.');

const apiSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65535).default(8080),
  audience: z.string().min(1).optional().describe('Expected audience of Google-signed ID tokens.'),
  idTokenCertsUrl: httpUrl
    .default('https://www.googleapis.com/oauth2/v1/certs')
    .describe('Where the certificates that sign Google ID tokens are fetched (PEM map).'),
  callers: z.array(callerSchema).default([]),
  allowedHosts: z.array(z.string().min(1)).default([]).describe('Registry hosts the service may contact.'),
  rateLimit: z
    .strictObject({
      perMinute: int(1, 1_000_000)
        .default(600)
        .describe('Requests per authenticated caller per minute, across every /v1 route.'),
      failedAuthPerMinute: int(1, 1_000_000)
        .default(30)
        .describe('Failed authentications per client address per minute; then 429 until the minute ends.'),
    })
    .prefault({}),
  cache: apiCacheSchema.prefault({}),
  jobs: z
    .strictObject({
      store: z
        .string()
        .regex(/^(memory|postgres(ql)?:\/\/.+)$/, 'must be memory or a postgres:// URL')
        .default('memory')
        .meta(secret)
        .describe(
          'Where jobs live: memory (this instance only, lost on restart) or a postgres:// URL shared by every replica.',
        ),
      maxRunning: int(1, 256).default(4).describe('Jobs this instance runs at once.'),
      leaseSeconds: int(2, 86_400)
        .default(300)
        .describe(
          'Postgres store: how long a job may run on one instance before it is presumed dead and another takes it over.',
        ),
      retentionSeconds: int(1, 365 * 86_400)
        .default(3600)
        .describe('How long a finished job stays readable.'),
      waitMs: int(0, 60_000)
        .default(5000)
        .describe(
          'How long POST /v1/images:copy waits for its job before answering 202 with it (0: at once).',
        ),
      progressIntervalMs: int(50, 60_000)
        .default(1000)
        .describe('Postgres store: least time between two progress writes of a running job.'),
    })
    .prefault({}),
  trustedProxies: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Addresses or CIDR ranges (or loopback, linklocal, uniquelocal) of the proxies in front of the service: X-Forwarded-For is believed only as far back as they appended to it. Empty: the TCP peer is the client.',
    ),
});

const helperSchema = z.strictObject({
  strict: z
    .boolean()
    .default(false)
    .describe('docker-credential-gar: refuse `store` / `erase` for Google hosts instead of ignoring them.'),
  log: z
    .string()
    .min(1)
    .optional()
    .meta(path)
    .describe('docker-credential-gar: append one line per call here (tokens redacted).'),
});

const emulatorSchema = z.strictObject({
  dataDir: z
    .string()
    .min(1)
    .optional()
    .meta(path)
    .describe('Where the emulator keeps data (default: a temp dir).'),
  port: int(0, 65535).default(0).describe('0 picks a free port.'),
});

const outputSchema = z.strictObject({
  format: z.enum(['table', 'json', 'yaml']).default('table'),
  color: z.enum(['auto', 'always', 'never']).default('auto'),
  progress: z.enum(['auto', 'always', 'never']).default('auto'),
});

const logSchema = z.strictObject({
  level: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('warn'),
  file: z.string().min(1).optional().meta(path).describe('Append logs here (secrets redacted).'),
});

/** Every setting; what `resolveConfig` returns after parsing all sources through it. */
export const arConfigSchema = z.strictObject({
  project: z.string().min(1).optional().describe('Default Google Cloud project ID.'),
  location: z.string().min(1).optional().describe('Default Artifact Registry location, e.g. us-west1.'),
  repository: z.string().min(1).optional().describe('Default repository ID.'),
  auth: authSchema.prefault({}),
  endpoints: endpointsSchema.prefault({}),
  registries: z
    .record(z.string().min(1), registrySchema)
    .default({})
    .describe('Per-registry settings keyed by host[:port].'),
  transfer: transferSchema.prefault({}),
  docker: dockerSchema.prefault({}),
  api: apiSchema.prefault({}),
  helper: helperSchema.prefault({}),
  emulator: emulatorSchema.prefault({}),
  output: outputSchema.prefault({}),
  log: logSchema.prefault({}),
});

/** A config file: every setting, plus named profiles layered over them (like gcloud configurations). */
export const arConfigFileSchema = arConfigSchema.extend({
  $schema: z.string().optional(),
  activeProfile: z
    .string()
    .min(1)
    .optional()
    .describe('Profile used when neither --profile nor GAR_PROFILE names one.'),
  profiles: z.record(z.string().min(1), arConfigSchema).optional(),
});

/** What users write: every key optional. */
export type ArUserConfig = z.input<typeof arConfigSchema>;
export type ArConfigFile = z.input<typeof arConfigFileSchema>;

type Parsed = z.output<typeof arConfigSchema>;
/** What code receives: complete and normalized; directories that default per user are filled in. */
export type ArResolvedConfig = Parsed & {
  auth: Parsed['auth'] & { cacheDir: string; gcloudConfigDir: string };
  docker: Parsed['docker'] & { configDir: string };
};
export type TokenSource = (typeof TOKEN_SOURCES)[number];
export type RegistrySettings = z.output<typeof registrySchema>;
