import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { closestMatch } from '@ar/errors';
import { type Env, GAR_PROFILE, readEnv } from './env.js';
import { ArConfigError, type ConfigIssue } from './errors.js';
import { readConfigFile } from './file.js';
import { gcloudLayer } from './gcloud.js';
import { toConfigIssues } from './issues.js';
import { isPlainObject, type Layer, leaves, merge, nearestOrigin, normalizePaths } from './layers.js';
import { locateConfigFile } from './locate.js';
import { type ArResolvedConfig, type ArUserConfig, arConfigFileSchema, arConfigSchema } from './schema.js';

export interface ResolveConfigOptions {
  /** The environment to read; the only place the toolkit reads `process.env` by default. */
  env?: Env;
  /** Directory that relative paths from the environment and overrides resolve against. */
  cwd?: string;
  homeDir?: string;
  /** A config file to read instead of `$GAR_CONFIG` / the default location (`--config`); `false` reads none, nor gcloud's. */
  configFile?: string | false;
  /** Profile to apply (`--profile`), beating `GAR_PROFILE` and the file's `activeProfile`. */
  profile?: string;
  /** Explicit settings (CLI flags, API request options): the highest precedence. */
  overrides?: ArUserConfig;
  /** Names the overrides' source in messages: a label, or a function of the dotted key path (`--transfer-concurrency`). */
  overridesSource?: string | ((path: string) => string);
}

export interface ConfigResolution {
  config: ArResolvedConfig;
  /** The config file read, if any. */
  file: string | null;
  profile: string | null;
  /** Which source supplied the value at a dotted key path: a file, a variable, a flag, or "default". */
  originOf(path: string): string;
}

/**
 * Resolves the config from every source, lowest precedence first:
 * defaults < gcloud's active configuration < config file (< its selected profile) < environment
 * < explicit overrides.
 * Throws one ArConfigError listing every problem found, each naming the source of the bad value.
 */
export function resolveConfig(options: ResolveConfigOptions = {}): ConfigResolution {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? env.HOME ?? homedir();
  const cwd = options.cwd ?? process.cwd();
  const issues: ConfigIssue[] = [];
  const layers: Layer[] = [defaultsLayer(env, homeDir)];

  let file: string | null = null;
  let fileValues: Record<string, unknown> = {};
  if (options.configFile !== false) {
    const location = locateConfigFile(options.configFile, '--config', env, homeDir);
    const read = readConfigFile(location);
    if ('issue' in read) issues.push(read.issue);
    if ('values' in read) {
      file = location.path;
      fileValues = read.values;
      const checked = arConfigFileSchema.safeParse(fileValues);
      if (!checked.success) issues.push(...toConfigIssues(checked.error, fileValues, () => location.path));
      const { profiles: _profiles, activeProfile: _active, $schema: _schema, ...base } = fileValues;
      layers.push(constantLayer(base, location.path, dirname(location.path)));
    }
  }

  const profile =
    options.profile ?? (env[GAR_PROFILE] || undefined) ?? stringOrUndefined(fileValues.activeProfile);
  if (profile) {
    const profiles = isPlainObject(fileValues.profiles) ? fileValues.profiles : {};
    const selected = profiles[profile];
    if (isPlainObject(selected) && file) {
      layers.push(constantLayer(selected, `${file} (profile "${profile}")`, dirname(file)));
    } else {
      issues.push(
        unknownProfile(
          profile,
          Object.keys(profiles),
          file,
          options.profile ? '--profile' : env[GAR_PROFILE] ? GAR_PROFILE : `${file} activeProfile`,
        ),
      );
    }
  }

  const fromEnv = readEnv(env);
  const envLayer: Layer = {
    values: fromEnv.values,
    originOf: (path) => nearestOrigin(fromEnv.origins, path),
    baseDir: cwd,
  };
  issues.push(...validateLayer(envLayer));
  layers.push(envLayer);

  if (options.overrides) {
    const label = options.overridesSource ?? 'override';
    const overrides: Layer = {
      values: options.overrides as Record<string, unknown>,
      originOf: typeof label === 'function' ? label : () => label,
      baseDir: cwd,
    };
    issues.push(...validateLayer(overrides));
    layers.push(overrides);
  }

  // gcloud's configuration sits just above the defaults, in the directory the other sources chose;
  // `configFile: false` (no files at all) leaves it out too.
  if (options.configFile !== false) {
    const gcloud = gcloudLayer(gcloudConfigDir(layers, homeDir), env);
    issues.push(...validateLayer(gcloud));
    layers.splice(1, 0, gcloud);
  }

  if (issues.length > 0) throw new ArConfigError(issues);

  const origins = new Map<string, string>();
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    const values = normalizePaths(layer, homeDir);
    merge(merged, values);
    for (const [path] of leaves(values)) {
      const dotted = path.join('.');
      origins.set(dotted, layer.originOf(dotted) ?? 'default');
    }
  }
  const originOf = (path: string) => nearestOrigin(origins, path) ?? 'default';
  const parsed = arConfigSchema.safeParse(merged);
  // Each source was valid alone; only a combination the schema refines across keys can fail here.
  if (!parsed.success) throw new ArConfigError(toConfigIssues(parsed.error, merged, originOf));
  return { config: parsed.data as ArResolvedConfig, file, profile: profile ?? null, originOf };
}

/** Per-user directories whose defaults depend on the environment, not on the schema. */
function defaultsLayer(env: Env, homeDir: string): Layer {
  const cacheHome = env.XDG_CACHE_HOME || join(homeDir, '.cache');
  return constantLayer(
    {
      auth: { cacheDir: join(cacheHome, 'gar'), gcloudConfigDir: join(homeDir, '.config', 'gcloud') },
      docker: { configDir: join(homeDir, '.docker') },
    },
    'default',
    homeDir,
  );
}

/** `auth.gcloudConfigDir` as the highest layer that sets it has it (the defaults always do). */
function gcloudConfigDir(layers: readonly Layer[], homeDir: string): string {
  for (const layer of [...layers].reverse()) {
    const auth = normalizePaths(layer, homeDir).auth;
    const dir = isPlainObject(auth) ? auth.gcloudConfigDir : undefined;
    if (typeof dir === 'string' && dir) return dir;
  }
  return join(homeDir, '.config', 'gcloud');
}

function constantLayer(values: Record<string, unknown>, source: string, baseDir: string): Layer {
  return { values, originOf: () => source, baseDir };
}

function validateLayer(layer: Layer): ConfigIssue[] {
  const checked = arConfigSchema.safeParse(layer.values);
  return checked.success
    ? []
    : toConfigIssues(checked.error, layer.values, (path) => layer.originOf(path) ?? 'default');
}

function unknownProfile(profile: string, known: string[], file: string | null, source: string): ConfigIssue {
  const suggestion = closestMatch(profile, known);
  const message = !file
    ? `profile "${profile}" was asked for but there is no config file to define it`
    : known.length === 0
      ? `profile "${profile}" is not defined; ${file} has no "profiles"`
      : `profile "${profile}" is not defined${suggestion ? `; did you mean "${suggestion}"?` : `; defined: ${known.join(', ')}`}`;
  return { kind: 'unknown-profile', path: 'profile', message, source };
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
