import type { Command } from 'commander';
import { clientFor, openClient, resolveCommandConfig } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { unknownHostWarning } from '../locations.js';
import { keyValues, render } from '../output.js';

export async function configureDocker(command: Command): Promise<void> {
  // `a,b c` as gcloud takes it: hosts separated by commas, spaces, or both.
  const hosts = command.args.flatMap((arg) => arg.split(',')).flatMap((host) => host.trim() || []);
  const options = command.opts() as { allLocations?: boolean; dryRun?: boolean };
  if (hosts.length === 0 && !options.allLocations) {
    command.error(
      'error: name the registry hosts to configure, e.g. `gar auth configure-docker us-west1-docker.pkg.dev`, or pass --all-locations',
      { exitCode: EXIT.usage },
    );
  }
  const client = await openClient(command);
  const result = await client.configureDocker(hosts, options);
  const unknown = hosts.flatMap((host) => unknownHostWarning(host) ?? []);
  for (const warning of [...unknown, ...result.warnings]) process.stderr.write(`warning: ${warning}\n`);
  if (options.dryRun) {
    process.stdout.write(
      result.diff || `No change: ${result.path} already hands these hosts to docker-credential-gar.\n`,
    );
    return;
  }
  const lines = [
    ...(result.added.length
      ? [`Added to ${result.path} (credHelpers → gar): ${result.added.join(', ')}`]
      : []),
    ...(result.unchanged.length ? [`Already configured: ${result.unchanged.join(', ')}`] : []),
    ...(result.backup ? [`Previous content saved in ${result.backup}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function printAccessToken(command: Command): Promise<void> {
  const options = command.optsWithGlobals() as { format?: string; impersonateServiceAccount?: string };
  const crictl = options.format === 'crictl';
  const client = await openClient(command, crictl ? ['format'] : []);
  const impersonating = options.impersonateServiceAccount;
  const auth = impersonating
    ? (await import('@ar/auth')).createAuth({
        ...client.config,
        auth: { ...client.config.auth, impersonateServiceAccount: impersonating },
      })
    : client.auth;
  const token = await auth.accessToken();
  if (crictl) {
    // The value of `crictl pull --creds`, as the seed's GKE section builds it.
    process.stdout.write(`oauth2accesstoken:${token.token}\n`);
  } else if (client.config.output.format === 'table') {
    process.stdout.write(`${token.token}\n`);
  } else {
    const expires = token.expiresAt === undefined ? undefined : new Date(token.expiresAt).toISOString();
    process.stdout.write(
      await render(client.config.output.format, {
        token: token.token,
        expiresAt: expires,
        source: token.source,
        account: token.account,
      }),
    );
  }
}

/** The defaults short image names take, each with the source that set it (a file, a variable, gcloud, a flag). */
const DEFAULTS = ['project', 'location', 'repository'] as const;

export async function status(command: Command): Promise<void> {
  const { config, originOf } = await resolveCommandConfig(command);
  const client = await clientFor(config);
  const description = await client.auth.describe();
  const expires =
    description.expiresAt === undefined
      ? 'unknown (static token)'
      : new Date(description.expiresAt).toISOString();
  const defaults = DEFAULTS.map((key) => {
    const value = client.config[key];
    return { key, value, from: value === undefined ? undefined : originOf(key) };
  });
  if (client.config.output.format !== 'table') {
    const config = Object.fromEntries(defaults.map(({ key, value, from }) => [key, { value, from }]));
    process.stdout.write(
      await render(client.config.output.format, { ...description, expiresAt: expires, config }),
    );
    return;
  }
  process.stdout.write(
    keyValues([
      ['source', description.source],
      ['account', description.account ?? '(not known without a network call)'],
      ['from', description.origin],
      [
        'impersonating',
        description.impersonating &&
          [description.impersonating.target, ...description.impersonating.delegates].join(' via '),
      ],
      ['token expires', expires],
      ['skipped', description.skipped.map((s) => `${s.source} (${s.reason})`).join('; ')],
      ...defaults.map(({ key, value, from }): [string, string] => [
        key,
        value === undefined ? '(not set)' : `${value} (from ${from})`,
      ]),
    ]),
  );
}
