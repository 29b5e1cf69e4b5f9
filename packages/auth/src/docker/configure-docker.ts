import { mkdir, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyEdits, type FormattingOptions, modify } from 'jsonc-parser';
import { ArAuthError } from '../errors.js';
import { normalizeRegistryHost } from '../hosts.js';
import { dockerConfigPath, readDockerConfig } from './docker-config.js';

export interface ConfigureDockerOptions {
  /** Docker's config directory (`config.docker.configDir`: DOCKER_CONFIG or ~/.docker). */
  configDir: string;
  /** Registry hosts to hand to the helper, e.g. `us-west1-docker.pkg.dev`. */
  hosts: readonly string[];
  /** The helper's name: Docker runs `docker-credential-NAME`. */
  helper?: string;
  /** Compute the change and its diff; write nothing. */
  dryRun?: boolean;
  /** Warn when `credHelpers` grows past this many entries (Docker may call every helper before a build). */
  warnAbove?: number;
}

export interface ConfigureDockerResult {
  path: string;
  added: string[];
  unchanged: string[];
  warnings: string[];
  /** Unified diff of config.json, empty when nothing changes. */
  diff: string;
  written: boolean;
  /** Where the previous content was saved, when the file was rewritten. */
  backup: string | undefined;
}

const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/;

/**
 * Adds `"HOST": "gar"` entries to `credHelpers` in Docker's config.json, as `gcloud auth
 * configure-docker` does, but as a text edit: every other key and byte is kept, the write is atomic
 * (temp file, fsync, rename) through symlinks, the file's mode is kept (a new file gets 0600), the
 * old content goes to `config.json.bak`, and a lock keeps parallel runs from losing entries.
 */
export async function configureDocker(options: ConfigureDockerOptions): Promise<ConfigureDockerResult> {
  const helper = options.helper ?? 'gar';
  const hosts = [...new Set(options.hosts.map(normalizeRegistryHost))];
  for (const [index, host] of hosts.entries()) {
    if (!HOST.test(host)) {
      throw new ArAuthError(
        'AR_AUTH_INVALID_HOST',
        `"${options.hosts[index]}" is not a registry host. Give hosts such as us-west1-docker.pkg.dev.`,
      );
    }
  }
  const path = dockerConfigPath(options.configDir);
  const { createTwoFilesPatch } = await import('diff');
  const diff = (before: string, after: string) =>
    createTwoFilesPatch(path, path, before, after, '', '', { context: 3 });
  if (options.dryRun)
    return plan(path, await readDockerConfig(options.configDir), hosts, helper, options, diff);

  await mkdir(options.configDir, { recursive: true, mode: 0o700 });
  const target = await realpath(path).catch(() => path);
  const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([
    import('proper-lockfile'),
    import('write-file-atomic'),
  ]);
  const release = await lockfile.lock(target, {
    realpath: false,
    lockfilePath: `${target}.lock`,
    stale: 30_000,
    retries: { retries: 100, factor: 1.3, minTimeout: 10, maxTimeout: 300 },
  });
  try {
    // Read under the lock: a parallel run may have just added its own entries.
    const current = await readDockerConfig(options.configDir);
    const result = plan(path, current, hosts, helper, options, diff);
    if (result.added.length === 0) return result;
    const mode = await stat(target).then(
      (info) => info.mode & 0o777,
      () => 0o600,
    );
    let backup: string | undefined;
    if (current.text !== undefined) {
      backup = `${target}.bak`;
      await writeFileAtomic(backup, current.text, { mode });
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, result.after, { mode }).catch((error: unknown) => {
      throw new ArAuthError(
        'AR_AUTH_DOCKER_CONFIG_IO',
        `Cannot write Docker's config ${target}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    });
    return { ...result, written: true, backup };
  } finally {
    await release().catch(() => {});
  }
}

function plan(
  path: string,
  current: Awaited<ReturnType<typeof readDockerConfig>>,
  hosts: readonly string[],
  helper: string,
  options: ConfigureDockerOptions,
  diff: (before: string, after: string) => string,
): ConfigureDockerResult & { after: string } {
  const before = current.text ?? '';
  let after = before.trim() === '' ? '{}\n' : before;
  const formatting = detectFormatting(before);
  const added: string[] = [];
  const unchanged: string[] = [];
  const warnings: string[] = [];
  for (const host of hosts) {
    const existing = current.json.credHelpers?.[host];
    if (existing === helper) {
      unchanged.push(host);
      continue;
    }
    if (existing) warnings.push(`${host} used the credential helper "${existing}"; it now uses "${helper}".`);
    after = applyEdits(
      after,
      modify(after, ['credHelpers', host], helper, { formattingOptions: formatting }),
    );
    added.push(host);
  }
  const shadowed = hosts.filter((host) =>
    Object.keys(current.json.auths ?? {}).some((key) => normalizeRegistryHost(key) === host),
  );
  if (shadowed.length) {
    warnings.push(
      `config.json also has "auths" credentials for ${shadowed.join(', ')}; Docker will ignore them in favour of the helper.`,
    );
  }
  const total = new Set([...Object.keys(current.json.credHelpers ?? {}), ...hosts]).size;
  const limit = options.warnAbove ?? 10;
  if (total > limit) {
    warnings.push(
      `credHelpers now lists ${total} registries. Docker may call every helper before some builds, which slows them: keep only the hosts you use.`,
    );
  }
  return {
    path,
    added,
    unchanged,
    warnings,
    diff: added.length ? diff(before, after) : '',
    written: false,
    backup: undefined,
    after,
  };
}

/** Keep the file's own indentation (Docker writes tabs). */
function detectFormatting(text: string): FormattingOptions {
  const indent = text.match(/\n([ \t]+)"/)?.[1];
  if (!indent || indent.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol: '\n' };
  return { insertSpaces: true, tabSize: indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}
