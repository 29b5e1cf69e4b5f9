/**
 * Global flags, each naming the config key it sets: resolveConfig takes them as overrides and
 * names the flag when a value is wrong. A test checks every key and choice against schema.json.
 */
export interface GlobalFlag {
  flags: string;
  description: string;
  /** Commander's camelCase name of the option. */
  option: string;
  /** The config key it sets, or undefined for flags that choose the file/profile. */
  path?: string;
  choices?: readonly string[];
  /** The config value a boolean flag stands for. */
  value?: string;
}

export const GLOBAL_FLAGS: readonly GlobalFlag[] = [
  { flags: '--project <id>', option: 'project', path: 'project', description: 'Google Cloud project ID' },
  {
    flags: '--location <location>',
    option: 'location',
    path: 'location',
    description: 'Artifact Registry location, e.g. us-west1',
  },
  { flags: '--repository <id>', option: 'repository', path: 'repository', description: 'repository ID' },
  { flags: '--profile <name>', option: 'profile', description: 'config profile (GAR_PROFILE)' },
  { flags: '--config <file>', option: 'config', description: 'config file (GAR_CONFIG)' },
  {
    flags: '--format <format>',
    option: 'format',
    path: 'output.format',
    choices: ['table', 'json', 'yaml'],
    description: 'output format',
  },
  {
    flags: '--quiet',
    option: 'quiet',
    path: 'log.level',
    value: 'error',
    description: 'print only results and errors',
  },
  {
    flags: '--verbose',
    option: 'verbose',
    path: 'log.level',
    value: 'debug',
    description: 'show each request (never its secrets)',
  },
  {
    flags: '--insecure-registry <host...>',
    option: 'insecureRegistry',
    description: 'plain HTTP to these registries (registries.HOST.insecure), as Docker’s flag of that name',
  },
  {
    flags: '--no-progress',
    option: 'progress',
    path: 'output.progress',
    value: 'never',
    description: 'no progress bars',
  },
];

/** The overrides the given flags stand for, and which flag set each key (for error messages). */
export function flagOverrides(options: Record<string, unknown>): {
  values: Record<string, unknown>;
  source: (path: string) => string;
} {
  const values: Record<string, unknown> = {};
  const byPath = new Map<string, string>();
  for (const flag of GLOBAL_FLAGS) {
    const given = options[flag.option];
    if (!flag.path || given === undefined) continue;
    // Commander gives `progress: true` unless --no-progress was passed.
    const set = flag.option === 'progress' ? given === false : given === true;
    if (flag.value !== undefined && !set) continue;
    const value = flag.value ?? given;
    const keys = flag.path.split('.');
    let node = values;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
    byPath.set(flag.path, flag.flags.split(' ')[0]!);
  }
  // A map key, not one path: each host named becomes registries.HOST.insecure.
  const insecure = options.insecureRegistry;
  if (Array.isArray(insecure) && insecure.length > 0) {
    const registries: Record<string, unknown> = {};
    for (const host of insecure as string[]) {
      registries[host] = { insecure: true };
      byPath.set(`registries.${host}.insecure`, '--insecure-registry');
    }
    values.registries = registries;
  }
  return { values, source: (path) => byPath.get(path) ?? 'a flag' };
}
