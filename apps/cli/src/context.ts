import type { ArResolvedConfig, ConfigResolution } from '@ar/config';
import type { Command } from 'commander';
import { flagOverrides } from './flags.js';

export type Format = 'table' | 'json' | 'yaml';

/**
 * The resolved config for one command: flags are the highest-precedence source, and a wrong value
 * names the flag it came from. `originOf` says where each value came from.
 */
export async function resolveCommandConfig(
  command: Command,
  drop: readonly string[] = [],
): Promise<ConfigResolution> {
  const options = command.optsWithGlobals() as Record<string, unknown>;
  for (const key of drop) delete options[key];
  const { resolveConfig } = await import('@ar/config');
  const overrides = flagOverrides(options);
  return resolveConfig({
    env: process.env,
    ...(typeof options.config === 'string' ? { configFile: options.config } : {}),
    ...(typeof options.profile === 'string' ? { profile: options.profile } : {}),
    overrides: overrides.values,
    overridesSource: overrides.source,
  });
}

/** The client for one command, on the config its flags, environment and files give. */
export async function openClient(command: Command, drop: readonly string[] = []) {
  return clientFor((await resolveCommandConfig(command, drop)).config);
}

export async function clientFor(config: ArResolvedConfig) {
  const { createClient } = await import('@ar/core');
  // --verbose (log.level debug): every request on stderr, redacted by the layers that make them.
  const verbose = config.log.level === 'debug';
  return createClient(config, verbose ? { requestLog: (line) => process.stderr.write(`> ${line}\n`) } : {});
}
