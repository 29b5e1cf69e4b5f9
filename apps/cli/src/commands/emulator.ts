import type { Command } from 'commander';

/**
 * `gar emulator start`: the emulator's own start command (the one `gar-emulator start` runs),
 * with this config's `emulator.port` and `emulator.dataDir` as defaults.
 */
export async function start(command: Command): Promise<void> {
  const [{ resolveConfig }, { runStartCommand }] = await Promise.all([
    import('@ar/config'),
    import('@ar/emulator'),
  ]);
  const { config } = resolveConfig({ env: process.env });
  process.exitCode = await runStartCommand(command.args, {
    stdout: process.stdout,
    stderr: process.stderr,
    defaults: {
      port: config.emulator.port,
      ...(config.emulator.dataDir === undefined ? {} : { dataDir: config.emulator.dataDir }),
    },
  });
}
