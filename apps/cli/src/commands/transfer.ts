import type { CopyResult, TreeCopyResult } from '@ar/core';
import type { Command } from 'commander';
import { openClient } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { render } from '../output.js';
import { progressReporter } from '../progress.js';

type Transfer = 'push' | 'pull' | 'copy';

async function run(
  command: Command,
  verb: Transfer,
  source: string,
  destination: string,
  extra: object = {},
): Promise<void> {
  const client = await openClient(command);
  const progress = await progressReporter(client.config.output.progress, verb);
  try {
    const result: CopyResult = await client[verb](source, destination, {
      ...extra,
      onProgress: progress.onProgress,
    });
    progress.finish();
    await report(client.config.output.format, verb, destination, result);
  } finally {
    await client.close();
  }
}

async function report(
  format: 'table' | 'json' | 'yaml',
  verb: Transfer,
  destination: string,
  result: CopyResult,
) {
  if (format !== 'table') {
    process.stdout.write(await render(format, result.images));
    return;
  }
  for (const image of result.images) {
    const moved = `${image.blobs.written} blobs written, ${image.blobs.mounted} mounted, ${image.blobs.existing} already there`;
    process.stdout.write(
      `${verb === 'pull' ? 'Pulled' : verb === 'push' ? 'Pushed' : 'Copied'} ${destination}${image.tags.length ? ` (${image.tags.join(', ')})` : ''}\ndigest: ${image.digest}\n${moved}\n`,
    );
  }
}

const platformOptions = (options: { platform?: string; allPlatforms?: boolean }) =>
  options.platform ? { platform: options.platform } : {};

export async function push(command: Command): Promise<void> {
  const [source, target] = command.args as [string, string];
  const { via, compress } = command.opts() as { via?: 'engine' | 'direct'; compress?: boolean };
  const { isLocalLocation } = await import('@ar/core');
  if (isLocalLocation(source)) {
    return run(command, 'push', source, target, compress ? { compressLayers: true } : {});
  }
  // An image in the local Docker engine, as `docker tag` + `docker push`.
  const client = await openClient(command);
  try {
    const progress = await progressReporter(client.config.output.progress, 'push');
    const result = await client.engine.push(source, target, {
      ...(via ? { via } : {}),
      ...(compress ? { compressLayers: true } : {}),
      onProgress: progress.onProgress,
    });
    progress.finish();
    process.stdout.write(
      client.config.output.format === 'table'
        ? `Pushed ${result.reference}\ndigest: ${result.digest ?? 'unknown'}\n`
        : await render(client.config.output.format, result),
    );
  } finally {
    await client.close();
  }
}

export async function pull(command: Command): Promise<void> {
  const options = command.opts() as { to: string; platform?: string; via?: 'engine' | 'registry' };
  const [image] = command.args as [string];
  if (options.to !== 'docker') return run(command, 'pull', image, options.to, platformOptions(options));
  const client = await openClient(command);
  try {
    const progress = await progressReporter(client.config.output.progress, 'pull');
    const result = await client.engine.pull(image, {
      ...platformOptions(options),
      ...(options.via ? { via: options.via } : {}),
      onProgress: progress.onProgress,
    });
    progress.finish();
    process.stdout.write(
      client.config.output.format === 'table'
        ? `Pulled ${result.reference}\ndigest: ${result.digest ?? 'unknown'}\nimage: ${result.imageId}\n`
        : await render(client.config.output.format, result),
    );
  } finally {
    await client.close();
  }
}

interface CopyFlags {
  allTags?: boolean;
  platform?: string[];
  compress?: boolean;
  recursive?: boolean;
  includeUntagged?: boolean;
  dryRun?: boolean;
  jobs?: number;
  maxConcurrentBlobs?: number;
}

export async function copy(command: Command): Promise<void> {
  const options = command.opts() as CopyFlags;
  const [source, destination] = command.args as [string, string];
  // Each flag belongs to one mode: say so rather than ignore it.
  const misplaced = options.recursive
    ? (['allTags', 'platform', 'compress'] as const).filter((flag) => options[flag] !== undefined)
    : (['includeUntagged', 'dryRun', 'jobs', 'maxConcurrentBlobs'] as const).filter(
        (flag) => options[flag] !== undefined,
      );
  if (misplaced.length > 0) {
    const names = misplaced
      .map((flag) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
      .join(', ');
    command.error(`error: ${names} ${options.recursive ? 'cannot be used with' : 'needs'} --recursive`, {
      exitCode: EXIT.usage,
    });
  }
  if (options.recursive) return copyTree(command, source, destination, options);
  const platforms = options.platform?.length ? { platforms: options.platform } : {};
  await run(command, 'copy', source, destination, {
    ...(options.allTags ? { allTags: true } : {}),
    ...(options.compress ? { compressLayers: true } : {}),
    ...platforms,
  });
}

/** `gar copy --recursive`: the plan or the report, one line (or entry) per image, then a summary. */
async function copyTree(command: Command, source: string, destination: string, options: CopyFlags) {
  const client = await openClient(command);
  const progress = await progressReporter(client.config.output.progress, 'copy');
  try {
    const result = await client.copyTree(source, destination, {
      ...(options.includeUntagged ? { includeUntagged: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.maxConcurrentBlobs ? { maxConcurrentBlobs: options.maxConcurrentBlobs } : {}),
      onProgress: progress.onProgress,
    });
    progress.finish();
    const format = client.config.output.format;
    process.stdout.write(format === 'table' ? treeTable(result) : await render(format, result.images));
    if (result.totals.failed > 0) {
      process.stderr.write(
        `error: ${result.totals.failed} of ${result.totals.images} images failed; rerun the same command to retry them (the others are skipped).\n`,
      );
      process.exitCode = EXIT.failure;
    }
  } finally {
    await client.close();
  }
}

function treeTable(result: TreeCopyResult): string {
  const { totals } = result;
  const tagged = (tags: readonly string[]) => (tags.length ? ` (${tags.join(', ')})` : ' (untagged)');
  if (result.dryRun) {
    const lines = result.images.map(
      (image) =>
        `${image.action.padEnd(4)} ${image.source} → ${image.destination}${tagged(image.tags)}: ${image.reason}${image.error ? ` (${image.error.code})` : ''}`,
    );
    const copies = result.images.filter((image) => image.action === 'copy').length;
    return `${[...lines, `Dry run: would copy ${copies} and skip ${totals.images - copies} of ${totals.images} images from ${result.source} to ${result.destination}; nothing written.`].join('\n')}\n`;
  }
  const failures = result.images
    .filter((image) => image.status === 'failed')
    .map(
      (image) => `failed ${image.source}${tagged(image.tags)}: ${image.error?.code}: ${image.error?.message}`,
    );
  const { written, mounted, existing } = totals.blobs;
  const summary = `Copied ${totals.copied}, skipped ${totals.skipped}, failed ${totals.failed} of ${totals.images} images from ${result.source} to ${result.destination} (${written} blobs written, ${mounted} mounted, ${existing} already there)`;
  return `${[...failures, summary].join('\n')}\n`;
}

export async function tag(command: Command): Promise<void> {
  const [source, target] = command.args as [string, string];
  const { remote } = command.opts() as { remote?: boolean };
  const client = await openClient(command);
  try {
    if (remote) {
      const result = await client.tag(source, target);
      process.stdout.write(`Tagged ${target} → ${result.images[0]?.digest}\n`);
    } else {
      process.stdout.write(`Tagged ${await client.engine.tag(source, target)} (in the Docker engine)\n`);
    }
  } finally {
    await client.close();
  }
}
