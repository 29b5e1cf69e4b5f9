import { configJsonSchema, type JsonSchema } from './json-schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

interface EnvBinding {
  variable: string;
  path: string[];
  parse: (raw: string) => unknown;
}

/**
 * Our own variables: `GAR_` + the key path in SCREAMING_SNAKE (`transfer.concurrency` →
 * `GAR_TRANSFER_CONCURRENCY`) for every scalar or list key, except where a shorter name is
 * already in use by the ecosystem's habits.
 */
const GAR_NAME_OVERRIDES: Record<string, string> = { 'auth.accessToken': 'GAR_ACCESS_TOKEN' };

/** Variables read to select the file and profile; they are not keys. */
export const GAR_CONFIG = 'GAR_CONFIG';
export const GAR_PROFILE = 'GAR_PROFILE';

/**
 * The ecosystem's own variables, for keys they mean the same thing for. Listed lowest priority
 * first; our `GAR_` name of a key beats all of them.
 */
const ECOSYSTEM: ReadonlyArray<{ variable: string; path: string; parse?: (raw: string) => unknown }> = [
  { variable: 'GOOGLE_CLOUD_PROJECT', path: 'project' },
  { variable: 'CLOUDSDK_CORE_PROJECT', path: 'project' },
  { variable: 'CLOUDSDK_ARTIFACTS_LOCATION', path: 'location' },
  { variable: 'CLOUDSDK_ARTIFACTS_REPOSITORY', path: 'repository' },
  { variable: 'GOOGLE_APPLICATION_CREDENTIALS', path: 'auth.credentialsFile' },
  { variable: 'CLOUDSDK_AUTH_ACCESS_TOKEN_FILE', path: 'auth.accessTokenFile' },
  { variable: 'CLOUDSDK_CONFIG', path: 'auth.gcloudConfigDir' },
  { variable: 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT', path: 'auth.impersonateServiceAccount' },
  { variable: 'CLOUDSDK_AUTH_TOKEN_HOST', path: 'endpoints.oauth2TokenUrl' },
  { variable: 'GCE_METADATA_HOST', path: 'endpoints.metadataHost' },
  { variable: 'CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY', path: 'endpoints.artifactRegistryUrl' },
  { variable: 'DOCKER_CONFIG', path: 'docker.configDir' },
  { variable: 'DOCKER_HOST', path: 'docker.host' },
  { variable: 'DOCKER_CERT_PATH', path: 'docker.certPath' },
  // Docker and no-color.org both mean "set to anything non-empty".
  { variable: 'DOCKER_TLS_VERIFY', path: 'docker.tlsVerify', parse: () => true },
  { variable: 'NO_COLOR', path: 'output.color', parse: () => 'never' },
];

const toSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function parserFor(node: JsonSchema): ((raw: string) => unknown) | undefined {
  // A union (built-in names or a plugin's) parses as its first member does.
  const type = node.type ?? (node.anyOf as JsonSchema[] | undefined)?.[0]?.type;
  switch (type) {
    case 'string':
      return (raw) => raw;
    case 'integer':
    case 'number':
      // Anything that is not plainly a number stays a string, so validation reports it as given.
      return (raw) => (/^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw);
    case 'boolean':
      return (raw) => BOOLEAN_WORDS[raw.trim().toLowerCase()] ?? raw;
    case 'array': {
      const item = node.items && parserFor(node.items);
      if (!item || node.items?.type === 'object') return undefined;
      return (raw) =>
        raw
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
          .map(item);
    }
    default:
      return undefined;
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  on: true,
  false: false,
  '0': false,
  no: false,
  off: false,
};

let cachedBindings: EnvBinding[] | undefined;

/** Every variable read, lowest priority first. */
export function envBindings(): readonly EnvBinding[] {
  if (cachedBindings) return cachedBindings;
  const own: EnvBinding[] = [];
  const walk = (node: JsonSchema, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = [...path, key];
      if (child.type === 'object') {
        if (child.properties) walk(child, childPath);
        continue; // records (registries, profiles) are set in files only
      }
      const parse = parserFor(child);
      if (!parse) continue;
      const dotted = childPath.join('.');
      own.push({
        variable: GAR_NAME_OVERRIDES[dotted] ?? `GAR_${childPath.map(toSnake).join('_')}`,
        path: childPath,
        parse,
      });
    }
  };
  const root = configJsonSchema();
  walk(
    {
      properties: Object.fromEntries(
        Object.entries(root.properties ?? {}).filter(([k]) => !FILE_ONLY.has(k)),
      ),
    },
    [],
  );
  const byPath = new Map(own.map((binding) => [binding.path.join('.'), binding]));
  const ecosystem = ECOSYSTEM.map(({ variable, path, parse }) => {
    const target = byPath.get(path);
    if (!target) throw new Error(`env binding ${variable} names unknown key ${path}`);
    return { variable, path: target.path, parse: parse ?? target.parse };
  });
  cachedBindings = [...ecosystem, ...own];
  return cachedBindings;
}

const FILE_ONLY = new Set(['$schema', 'activeProfile', 'profiles']);

/** The values the environment sets, and which variable set each key. Empty variables count as unset. */
export function readEnv(env: Env): { values: Record<string, unknown>; origins: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const binding of envBindings()) {
    const raw = env[binding.variable];
    if (raw === undefined || raw === '') continue;
    setAt(values, binding.path, binding.parse(raw));
    origins.set(binding.path.join('.'), binding.variable);
  }
  return { values, origins };
}

export function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
