#!/usr/bin/env node
// `ar-api`: the service as a process. Config comes from @ar/config (file, GAR_* variables);
// SIGTERM/SIGINT shut it down gracefully, as Cloud Run and Kubernetes send before killing.
import { parseArgs } from 'node:util';
import { resolveConfig } from '@ar/config';
import { isArError } from '@ar/errors';
import { createApi } from './app.js';

const usage = `Usage: ar-api [--config FILE] [--profile NAME] [--shutdown finish|cancel]

Serves the @ar/api HTTP service on api.host:api.port (GAR_API_HOST, GAR_API_PORT).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      profile: { type: 'string' },
      shutdown: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (values.shutdown !== undefined && values.shutdown !== 'finish' && values.shutdown !== 'cancel') {
    process.stderr.write(`--shutdown must be finish or cancel\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const { config, originOf } = resolveConfig({
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  // The toolkit's default log level is `warn` (right for a CLI); a service logs its requests unless told otherwise.
  const logLevel = originOf('log.level') === 'default' ? 'info' : config.log.level;
  const api = await createApi({
    config,
    logLevel,
    ...(values.shutdown ? { shutdown: { mode: values.shutdown as 'finish' | 'cancel' } } : {}),
  });
  await api.listen();
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      api.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${isArError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`);
  process.exitCode = 1;
});
