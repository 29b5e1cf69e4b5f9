/**
 * `gar emulator start`: the emulator's own start command (the one `gar-emulator start` runs),
 * with this config's `emulator.port` and `emulator.dataDir` as defaults.
 */
export async function start(): Promise<void> {
  const [{ resolveConfig }, { runStartCommand }] = await Promise.all([
    import('@ar/config'),
    import('@ar/emulator'),
  ]);
  const { config } = resolveConfig({ env: process.env });
  process.exitCode = await runStartCommand(emulatorArguments(process.argv), {
    command: 'gar emulator start',
    stdout: process.stdout,
    stderr: process.stderr,
    defaults: {
      port: config.emulator.port,
      ...(config.emulator.dataDir === undefined ? {} : { dataDir: config.emulator.dataDir }),
    },
  });
}

/**
 * Everything after `emulator start`, as typed: the emulator's own options. Not commander's
 * leftovers: gar's global flags are parsed anywhere on the line, and `--location` (the emulator's
 * "serve this location", repeatable) would be taken as gar's default location.
 */
function emulatorArguments(argv: readonly string[]): string[] {
  const at = argv.findIndex((arg, index) => arg === 'emulator' && argv[index + 1] === 'start');
  return argv.slice(at + 2);
}
