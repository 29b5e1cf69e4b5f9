import { accessSync, constants } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { unknownHostWarning, unknownLocationWarning } from '../locations.js';

/** What to do when a check of @ar/core's health report failed. */
const FIXES: Record<string, string> = {
  token: 'See `gar auth status`.',
  registry: 'Check the network, or registries.HOST.endpoint in the config.',
};

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check failed. */
  fix?: string;
  /** Passed, but something looks wrong (a location Artifact Registry does not have). */
  warning?: boolean;
}

/** `gar doctor`: config, Docker's credHelpers, the token source, and whether the API and registry answer. */
export async function doctor(command: Command): Promise<void> {
  const checks: Check[] = [];
  const options = command.optsWithGlobals() as Record<string, unknown>;
  const [{ resolveConfig }, { createClient }, auth, { arLocationHost }] = await Promise.all([
    import('@ar/config'),
    import('@ar/core'),
    import('@ar/auth'),
    import('@ar/image-ref'),
  ]);
  let resolution: ReturnType<typeof resolveConfig>;
  try {
    resolution = resolveConfig({
      env: process.env,
      ...(typeof options.config === 'string' ? { configFile: options.config } : {}),
      ...(typeof options.profile === 'string' ? { profile: options.profile } : {}),
    });
    const { config: resolved, originOf } = resolution;
    const defaults = (['project', 'location', 'repository'] as const).map((key) =>
      resolved[key] === undefined ? `${key} (none)` : `${key} ${resolved[key]} (from ${originOf(key)})`,
    );
    checks.push({
      name: 'config',
      ok: true,
      detail: `${resolution.file ?? 'no config file'}${resolution.profile ? `, profile ${resolution.profile}` : ''}; ${defaults.join(', ')}`,
    });
    const location = resolved.location && unknownLocationWarning(resolved.location);
    if (location)
      checks.push({
        name: 'location',
        ok: true,
        warning: true,
        detail: `${location} (from ${originOf('location')})`,
      });
  } catch (error) {
    checks.push({
      name: 'config',
      ok: false,
      detail: (error as Error).message,
      fix: 'Fix the values named above.',
    });
    return report(command, checks);
  }
  const { config } = resolution;
  const client = createClient(config);

  try {
    const docker = await auth.readDockerConfig(config.docker.configDir);
    const helpers = Object.entries(docker.json.credHelpers ?? {});
    const ours = helpers.filter(([, helper]) => helper === 'gar').map(([host]) => host);
    const others = helpers
      .filter(([host, helper]) => helper !== 'gar' && auth.isGoogleRegistry(host, config))
      .map(([host, helper]) => `${host}→${helper}`);
    const onPath = (process.env.PATH ?? '')
      .split(':')
      .some((dir) => dir && existsExecutable(`${dir}/docker-credential-gar`));
    checks.push({
      name: 'docker',
      ok: ours.length > 0 && onPath,
      detail: `${docker.path}: gar handles ${ours.length ? ours.join(', ') : 'no host'}${others.length ? `; other helpers: ${others.join(', ')}` : ''}; docker-credential-gar ${onPath ? 'is' : 'is not'} on PATH`,
      ...(ours.length > 0 && onPath
        ? {}
        : {
            fix: ours.length
              ? 'Install @ar/docker-credential-gar so Docker can run it.'
              : 'Run `gar auth configure-docker LOCATION-docker.pkg.dev`.',
          }),
    });
    for (const warning of ours.flatMap((host) => unknownHostWarning(host) ?? []))
      checks.push({ name: 'docker', ok: true, warning: true, detail: `credHelpers: ${warning}` });
    if (helpers.length > 10)
      checks.push({
        name: 'docker',
        ok: true,
        detail: `${helpers.length} credential helpers configured: Docker may call each before a build; keep the list short.`,
      });
  } catch (error) {
    checks.push({ name: 'docker', ok: false, detail: (error as Error).message });
  }

  const { project, location } = config;
  const scope = project && location ? { project, location } : undefined;
  const health = await client.check(
    scope ? { api: scope, registries: [arLocationHost(scope.location)] } : {},
  );
  await client.close();
  for (const check of health.checks) {
    const name = check.name.startsWith('registry ') ? 'registry' : check.name;
    checks.push({
      name,
      ok: check.ok,
      detail: check.ok ? (check.detail ?? '') : (check.error?.message ?? ''),
      ...(check.ok || !FIXES[name] ? {} : { fix: FIXES[name] }),
    });
  }
  if (!scope)
    checks.push({
      name: 'api',
      ok: true,
      detail: 'skipped: set a project and location (--project, --location) to check the API and registry',
    });
  return report(command, checks);
}

function existsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function report(_command: Command, checks: Check[]): void {
  for (const check of checks) {
    const status = !check.ok ? 'FAIL' : check.warning ? 'warn' : 'ok  ';
    process.stdout.write(`${status}  ${check.name.padEnd(8)} ${check.detail}\n`);
    if (!check.ok && check.fix) process.stdout.write(`      ${''.padEnd(8)} → ${check.fix}\n`);
  }
  if (checks.some((check) => !check.ok)) process.exitCode = EXIT.failure;
}
