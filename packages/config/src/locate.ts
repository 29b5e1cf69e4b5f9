import { join } from 'node:path';

export interface ConfigFileLocation {
  path: string;
  /** Named by --config or GAR_CONFIG: it must exist. The default location may be absent. */
  explicit: boolean;
  namedBy: string;
}

/**
 * Where the config file is: `--config`, else `$GAR_CONFIG`, else `$XDG_CONFIG_HOME/gar/config.json`,
 * else `~/.config/gar/config.json`. Exported from `@ar/config/files` too, which loads no schema.
 */
export function locateConfigFile(
  explicit: string | undefined,
  explicitSource: string,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): ConfigFileLocation {
  if (explicit) return { path: explicit, explicit: true, namedBy: explicitSource };
  if (env.GAR_CONFIG) return { path: env.GAR_CONFIG, explicit: true, namedBy: 'GAR_CONFIG' };
  const configHome = env.XDG_CONFIG_HOME || join(homeDir, '.config');
  return { path: join(configHome, 'gar', 'config.json'), explicit: false, namedBy: 'default location' };
}
