import type { CopyResult } from '@ar/core';
import type { Command } from 'commander';
import { openClient } from '../context.js';
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

export async function copy(command: Command): Promise<void> {
  const options = command.opts() as { allTags?: boolean; platform?: string[]; compress?: boolean };
  const [source, destination] = command.args as [string, string];
  const platforms = options.platform?.length ? { platforms: options.platform } : {};
  await run(command, 'copy', source, destination, {
    ...(options.allTags ? { allTags: true } : {}),
    ...(options.compress ? { compressLayers: true } : {}),
    ...platforms,
  });
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
