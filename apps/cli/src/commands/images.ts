import { readFile } from 'node:fs/promises';
import type { CleanupPolicy, ImageDescription, ImageSummary } from '@ar/core';
import { parseReference, tryParseArImage } from '@ar/image-ref';
import type { Command } from 'commander';
import { openClient } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { keyValues, render } from '../output.js';
import { PRUNE_COLUMNS, pruneSummary } from './prune-view.js';

export async function list(command: Command): Promise<void> {
  const client = await openClient(command);
  const options = command.opts() as { includeTags?: boolean; limit?: string };
  const rows = await client.images.list(
    command.args[0],
    options.limit ? { limit: Number(options.limit) } : {},
  );
  const columns = [
    { header: 'IMAGE', value: (row: ImageSummary) => row.image },
    { header: 'DIGEST', value: (row: ImageSummary) => row.digest },
    ...(options.includeTags ? [{ header: 'TAGS', value: (row: ImageSummary) => row.tags.join(',') }] : []),
    { header: 'CREATE_TIME', value: (row: ImageSummary) => row.createTime ?? '' },
    { header: 'UPDATE_TIME', value: (row: ImageSummary) => row.updateTime ?? '' },
  ];
  const format = client.config.output.format;
  process.stdout.write(
    format === 'table' ? await render(format, rows, columns) : await render(format, rows.map(gcloudVersion)),
  );
}

/** A version as `gcloud artifacts docker images list --format=json` names its fields. */
const gcloudVersion = (row: ImageSummary) => ({
  package: row.image,
  version: row.digest,
  tags: row.tags,
  createTime: row.createTime,
  updateTime: row.updateTime,
  metadata: {
    imageSizeBytes: row.sizeBytes === undefined ? undefined : String(row.sizeBytes),
    mediaType: row.mediaType,
  },
});

/**
 * `gcloud artifacts docker images describe --format=json` names the image in `image_summary`; what
 * gcloud shows only elsewhere keeps the field names of Artifact Registry's DockerImage resource.
 */
function gcloudDescription(image: ImageDescription) {
  const named = parseReference(image.reference);
  const ar = tryParseArImage(image.reference);
  return {
    image_summary: {
      digest: image.digest,
      fully_qualified_digest: `${named.name}@${image.digest}`,
      registry: named.domain,
      repository: ar.ok ? ar.value.repository : undefined,
    },
    mediaType: image.mediaType,
    platforms: image.platforms,
    imageSizeBytes: String(image.sizeBytes),
    tags: image.tags,
    buildTime: image.created,
    uploadTime: image.uploaded,
  };
}

export async function describe(command: Command): Promise<void> {
  const client = await openClient(command);
  try {
    const image = await client.images.describe(command.args[0]!);
    if (client.config.output.format !== 'table') {
      process.stdout.write(await render(client.config.output.format, gcloudDescription(image)));
      return;
    }
    process.stdout.write(
      keyValues([
        ['image', image.reference],
        ['digest', image.digest],
        ['media type', image.mediaType],
        ['platforms', image.platforms.join(', ') || 'single image'],
        ['size', `${image.sizeBytes} bytes`],
        ['tags', image.tags.join(', ')],
        ['created', image.created],
        ['uploaded', image.uploaded],
      ]),
    );
  } finally {
    await client.close();
  }
}

export async function resolve(command: Command): Promise<void> {
  const client = await openClient(command);
  try {
    const resolution = await client.images.resolve(command.args[0]!);
    if (client.config.output.format !== 'table') {
      process.stdout.write(await render(client.config.output.format, resolution));
      return;
    }
    process.stdout.write(
      `${resolution.reference}\n  served by ${resolution.servedBy}\n  digest    ${resolution.digest}\n  why       ${resolution.reason}\n`,
    );
    for (const upstream of resolution.upstreams) {
      process.stdout.write(
        `  upstream  ${String(upstream.priority).padStart(4)}  ${upstream.holds ? 'holds it    ' : 'does not    '}${upstream.id ?? ''} ${upstream.repository}\n`,
      );
    }
  } finally {
    await client.close();
  }
}

export async function remove(command: Command): Promise<void> {
  const client = await openClient(command);
  const { deleteTags } = command.opts() as { deleteTags?: boolean };
  try {
    const result = await client.images.delete(command.args[0]!, deleteTags ? { deleteTags: true } : {});
    process.stdout.write(
      client.config.output.format === 'table'
        ? `Deleted ${command.args[0]}${result.deletedTags.length ? ` (tags: ${result.deletedTags.join(', ')})` : ''}\n`
        : await render(client.config.output.format, result),
    );
  } finally {
    await client.close();
  }
}

interface PruneFlags {
  policy?: string;
  keepLast?: string;
  olderThan?: string;
  untagged?: boolean;
  tagPrefix?: string[];
  keepTagPrefix?: string[];
  grace?: string;
  apply?: boolean;
  deleteTagged?: boolean;
  excludeInUse?: string;
  concurrency?: string;
}

/** The policies of `--policy FILE` (gcloud's format) or of the shorthand flags, not both. */
async function prunePolicies(command: Command, flags: PruneFlags): Promise<CleanupPolicy[]> {
  const { parsePolicyFile, policiesFromShorthands } = await import('@ar/core');
  const shorthands = {
    ...(flags.keepLast === undefined ? {} : { keepLast: Number(flags.keepLast) }),
    ...(flags.olderThan === undefined ? {} : { olderThan: flags.olderThan }),
    ...(flags.untagged ? { untagged: true } : {}),
    ...(flags.tagPrefix === undefined ? {} : { tagPrefixes: flags.tagPrefix }),
    ...(flags.keepTagPrefix === undefined ? {} : { keepTagPrefixes: flags.keepTagPrefix }),
    ...(flags.grace === undefined ? {} : { grace: flags.grace }),
  };
  if (flags.policy === undefined) return policiesFromShorthands(shorthands);
  if (Object.keys(shorthands).length > 0) {
    command.error(
      'error: --policy and the shorthand flags (--keep-last, --older-than, …) exclude each other',
      {
        exitCode: EXIT.usage,
      },
    );
  }
  return parsePolicyFile(await readFile(flags.policy, 'utf8'));
}

export async function prune(command: Command): Promise<void> {
  const flags = command.opts() as PruneFlags;
  const concurrency = Number(flags.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    command.error(`error: --concurrency must be a whole number of at least 1, got "${flags.concurrency}"`, {
      exitCode: EXIT.usage,
    });
  }
  const policies = await prunePolicies(command, flags);
  // Image references, one per line or whitespace separated (kubectl's jsonpath output works as is).
  const inUse =
    flags.excludeInUse === undefined
      ? []
      : (await readFile(flags.excludeInUse, 'utf8')).split(/\s+/).filter((reference) => reference !== '');
  const client = await openClient(command);
  try {
    const result = await client.images.prune(command.args[0], {
      policies,
      inUse,
      ...(flags.apply ? { apply: true } : {}),
      ...(flags.deleteTagged ? { deleteTagged: true } : {}),
      concurrency,
    });
    const { pruneReport } = await import('@ar/core');
    const rows = pruneReport(result);
    const format = client.config.output.format;
    process.stdout.write(await render(format, rows, format === 'table' ? PRUNE_COLUMNS : undefined));
    process.stderr.write(pruneSummary(result));
    if (result.failed.length > 0) process.exitCode = EXIT.failure;
  } finally {
    await client.close();
  }
}
