#!/usr/bin/env node
// The file Docker runs, bundled as one CommonJS file that imports only Node's built-ins: a warm
// `get`, the call Docker makes for every registry operation, is answered from here. Anything else
// imports the rest of the helper (`commands.js`, an ES module with its own lazily loaded chunks).
import { isArError } from '@ar/errors';
import packageJson from '../package.json' with { type: 'json' };
import type { HelperContext } from './context.js';
import { ERROR_HINTS, FAILURE_STATUS } from './exit-codes.js';
import { writeLog } from './log.js';
import { HelperFailure, isHelperFailure, NOT_FOUND, readInput, writeOutput } from './protocol.js';
import { warmGet } from './warm-get.js';

const USAGE = `Usage: docker-credential-gar <get|store|erase|list|version>

A Docker credential helper for Google Artifact Registry and Container Registry.
Docker runs it for the hosts listed under "credHelpers" in ~/.docker/config.json
(add them with \`gar auth configure-docker HOST\`). It reads the server URL on stdin
and prints {"ServerURL","Username","Secret"}; tokens come from the gar config's
token sources and are cached per user, never with less than 10 minutes left.

Environment: GAR_HELPER_LOG=FILE logs one line per call (no secrets);
every gar setting applies (see \`gar --help\`).`;

const commands = () => import('./commands.js');

async function run(command: string | undefined, context: HelperContext): Promise<string> {
  switch (command) {
    case 'get': {
      const serverUrl = readInput();
      const answer = warmGet(serverUrl, context) ?? (await (await commands()).get(serverUrl, context));
      return `${JSON.stringify(answer)}\n`;
    }
    case 'store':
    case 'erase':
      await (await commands()).storeOrErase(command, readInput(), context);
      return '';
    case 'list':
      return `${JSON.stringify(await (await commands()).list(context))}\n`;
    case 'version':
    case '--version':
    case '-v':
      return `docker-credential-gar ${packageJson.version}\n`;
    case '--help':
    case '-h':
    case 'help':
      return `${USAGE}\n`;
    default:
      throw new HelperFailure(
        `unknown command "${command ?? ''}"; expected get, store, erase, list or version`,
      );
  }
}

/** The one line Docker shows: the error's first line, a hint, never a secret. */
function failureLine(error: unknown): string {
  if (isHelperFailure(error)) return error.message;
  if (isArError(error)) {
    const hint = (ERROR_HINTS as Record<string, string>)[error.code] ?? '';
    return [error.message.replace(/\s*\n\s*/g, ' ').trim(), hint].filter(Boolean).join(' ');
  }
  return `docker-credential-gar failed: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`;
}

async function main(): Promise<void> {
  // process.hrtime, not performance.now(): the latter loads perf_hooks, a dozen modules.
  const started = process.hrtime.bigint();
  const elapsedMs = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  const command = process.argv[2];
  const context: HelperContext = { env: process.env, cwd: process.cwd(), report: {}, secrets: [] };
  // The config's helper.log once a command has resolved it; GAR_HELPER_LOG (the same key) when
  // resolution itself failed.
  const logFile = () => context.logFile ?? (process.env.GAR_HELPER_LOG || undefined);
  try {
    writeOutput(await run(command, context));
    writeLog(
      logFile(),
      {
        command: command ?? '',
        ...context.report,
        outcome: 'ok',
        ms: elapsedMs(),
      },
      context.secrets,
    );
  } catch (error) {
    const line = failureLine(error);
    writeOutput(`${line}\n`);
    process.exitCode = FAILURE_STATUS;
    const outcome = line === NOT_FOUND ? 'not-found' : 'error';
    const detail = isArError(error) ? `${error.code}: ${error.message}` : line;
    writeLog(
      logFile(),
      {
        command: command ?? '',
        ...context.report,
        outcome,
        error: outcome === 'error' ? detail : undefined,
        ms: elapsedMs(),
      },
      context.secrets,
    );
  }
}

void main();
