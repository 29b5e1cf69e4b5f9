import type { Command } from 'commander';
import { flagOverrides } from './flags.js';

export type Format = 'table' | 'json' | 'yaml';

/**
 * The resolved config and the client for one command: flags are the highest-precedence source,
 * and a wrong value names the flag it came from.
 */
export async function openClient(command: Command, drop: readonly string[] = []) {
  const options = command.optsWithGlobals() as Record<string, unknown>;
  for (const key of drop) delete options[key];
  const [{ resolveConfig }, { createClient }] = await Promise.all([import('@ar/config'), import('@ar/core')]);
  const overrides = flagOverrides(options);
  const { config } = resolveConfig({
    env: process.env,
    ...(typeof options.config === 'string' ? { configFile: options.config } : {}),
    ...(typeof options.profile === 'string' ? { profile: options.profile } : {}),
    overrides: overrides.values,
    overridesSource: overrides.source,
  });
  // --verbose (log.level debug): every request on stderr, redacted by the layers that make them.
  const verbose = config.log.level === 'debug';
  return createClient(config, verbose ? { requestLog: (line) => process.stderr.write(`> ${line}\n`) } : {});
}
