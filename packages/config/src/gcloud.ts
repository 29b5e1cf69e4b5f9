import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'ini';
import type { Env } from './env.js';
import type { Layer } from './layers.js';

/** The gcloud properties that mean the same thing to gar: `[section] property` → key. */
const PROPERTIES: ReadonlyArray<{ section: string; property: string; key: string }> = [
  { section: 'core', property: 'project', key: 'project' },
  { section: 'artifacts', property: 'location', key: 'location' },
  { section: 'artifacts', property: 'repository', key: 'repository' },
];

/**
 * gcloud's active configuration (what `gcloud config set project …` wrote), as gcloud finds it:
 * the configuration named by `CLOUDSDK_ACTIVE_CONFIG_NAME`, else by the file `active_config`,
 * else "default", in `configurations/config_NAME` (INI) under the gcloud config directory.
 * `CLOUDSDK_CORE_PROJECT` and the other property variables are read with the environment, above.
 * No gcloud, no configuration, or an unreadable one: an empty layer, as gcloud being absent is normal.
 */
export function gcloudLayer(configDir: string, env: Env): Layer {
  const name =
    env.CLOUDSDK_ACTIVE_CONFIG_NAME || readText(join(configDir, 'active_config'))?.trim() || 'default';
  const path = join(configDir, 'configurations', `config_${name}`);
  const text = readText(path);
  const values: Record<string, unknown> = {};
  if (text !== undefined) {
    const sections = parse(text) as Record<string, Record<string, unknown> | undefined>;
    for (const { section, property, key } of PROPERTIES) {
      const value = sections[section]?.[property];
      if (typeof value === 'string' && value.trim()) values[key] = value.trim();
    }
  }
  const source = `gcloud configuration "${name}" (${path})`;
  return { values, originOf: (key) => (key in values ? source : undefined), baseDir: configDir };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
