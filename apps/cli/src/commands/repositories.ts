import { readFile } from 'node:fs/promises';
import type { Repository, RepositoryMode, UpstreamPolicy } from '@ar/core';
import { tryParseArResourceName } from '@ar/image-ref';
import type { Command } from 'commander';
import { openClient } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { keyValues, render } from '../output.js';

const MODES: Record<string, RepositoryMode> = {
  standard: 'STANDARD_REPOSITORY',
  remote: 'REMOTE_REPOSITORY',
  virtual: 'VIRTUAL_REPOSITORY',
};

const shortName = (repository: Repository) => {
  const parsed = tryParseArResourceName(repository.name);
  return parsed.ok ? parsed.value.repository : repository.name;
};
const modeName = (repository: Repository) =>
  (repository.mode ?? 'STANDARD_REPOSITORY').replace('_REPOSITORY', '').toLowerCase();

export async function list(command: Command): Promise<void> {
  const client = await openClient(command);
  const { limit } = command.opts() as { limit?: string };
  const repositories = await client.repositories.list(limit ? { limit: Number(limit) } : {});
  process.stdout.write(
    await render(client.config.output.format, repositories, [
      { header: 'REPOSITORY', value: shortName },
      { header: 'FORMAT', value: (r) => r.format },
      { header: 'MODE', value: modeName },
      { header: 'IMMUTABLE_TAGS', value: (r) => (r.dockerConfig?.immutableTags ? 'yes' : 'no') },
      { header: 'DESCRIPTION', value: (r) => r.description ?? '' },
    ]),
  );
}

export async function describe(command: Command): Promise<void> {
  const client = await openClient(command);
  const { policiesFromRest, policiesToFile, upstreamsByPriority } = await import('@ar/core');
  const repository = await client.repositories.describe(command.args[0]);
  if (client.config.output.format !== 'table') {
    process.stdout.write(await render(client.config.output.format, repository));
    return;
  }
  const upstreams = upstreamsByPriority(repository);
  const remote = repository.remoteRepositoryConfig?.dockerRepository;
  process.stdout.write(
    keyValues([
      ['name', repository.name],
      ['format', repository.format],
      ['mode', modeName(repository)],
      ['immutable tags', repository.dockerConfig?.immutableTags ? 'yes' : 'no'],
      ['description', repository.description],
      ['upstream', remote?.customRepository?.uri ?? remote?.publicRepository],
      ['created', repository.createTime],
      ['updated', repository.updateTime],
      [
        'cleanup dry run',
        repository.cleanupPolicies ? (repository.cleanupPolicyDryRun ? 'yes' : 'no') : undefined,
      ],
    ]),
  );
  const cleanup = policiesToFile(policiesFromRest(repository.cleanupPolicies ?? {}));
  if (cleanup.length > 0) {
    process.stdout.write('cleanup policies (the file `set-cleanup-policies --policy` reads):\n');
    for (const policy of cleanup) {
      const { name, action, ...rule } = policy;
      process.stdout.write(`  ${name}  ${action.type}  ${JSON.stringify(rule)}\n`);
    }
  }
  if (upstreams.length > 0) {
    process.stdout.write('upstream policies (highest priority first; equal priorities may serve alike):\n');
    for (const policy of upstreams)
      process.stdout.write(
        `  ${String(policy.priority).padStart(4)}  ${policy.id ?? ''}  ${policy.repository}\n`,
      );
  }
}

export async function create(command: Command): Promise<void> {
  const options = command.opts() as {
    mode: string;
    immutableTags?: boolean;
    description?: string;
    remoteUrl?: string;
    upstream?: string[];
  };
  const mode = MODES[options.mode];
  if (!mode)
    command.error(`error: --mode must be standard, remote or virtual, got "${options.mode}"`, {
      exitCode: EXIT.usage,
    });
  const client = await openClient(command);
  const upstreams = (options.upstream ?? []).map((spec) => parseUpstream(command, spec, client.config));
  const repository = await client.repositories.create(command.args[0]!, {
    mode,
    ...(options.immutableTags ? { immutableTags: true } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.remoteUrl ? { remoteUrl: options.remoteUrl } : {}),
    ...(upstreams.length ? { upstreams } : {}),
  });
  process.stdout.write(
    client.config.output.format === 'table'
      ? `Created ${repository.name}.\n`
      : await render(client.config.output.format, repository),
  );
}

/** `ID=REPOSITORY:PRIORITY`, REPOSITORY an ID in the same project and location or a resource name. */
function parseUpstream(
  command: Command,
  spec: string,
  config: { project?: string | undefined; location?: string | undefined },
): UpstreamPolicy {
  const match = /^([a-z][a-z0-9-]*)=(.+):(\d+)$/.exec(spec);
  if (!match)
    command.error(`error: --upstream takes ID=REPOSITORY:PRIORITY, got "${spec}"`, { exitCode: EXIT.usage });
  const [, id, repository, priority] = match!;
  const name = repository!.startsWith('projects/')
    ? repository!
    : `projects/${config.project}/locations/${config.location}/repositories/${repository}`;
  return { id: id!, repository: name, priority: Number(priority) };
}

/** `gar repositories set-cleanup-policies REPO --policy FILE [--dry-run | --no-dry-run]`, as gcloud. */
export async function setCleanupPolicies(command: Command): Promise<void> {
  const { policy, dryRun } = command.opts() as { policy?: string; dryRun?: boolean };
  if (policy === undefined && dryRun === undefined) {
    command.error('error: give --policy FILE, --dry-run or --no-dry-run (or --policy with one of them)', {
      exitCode: EXIT.usage,
    });
  }
  const { parsePolicyFile, policiesFromRest, policiesToFile } = await import('@ar/core');
  const policies = policy === undefined ? undefined : parsePolicyFile(await readFile(policy, 'utf8'));
  const client = await openClient(command);
  const repository = await client.repositories.setCleanupPolicies(command.args[0], {
    ...(policies === undefined ? {} : { policies }),
    ...(dryRun === undefined ? {} : { dryRun }),
  });
  // As gcloud: the dry-run state on stderr, the policies (file form) on stdout.
  process.stderr.write(`Dry run is ${repository.cleanupPolicyDryRun ? 'enabled' : 'disabled'}.\n`);
  const format = client.config.output.format === 'table' ? 'json' : client.config.output.format;
  process.stdout.write(
    await render(format, policiesToFile(policiesFromRest(repository.cleanupPolicies ?? {}))),
  );
}
