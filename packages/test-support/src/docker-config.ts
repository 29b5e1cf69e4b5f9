import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface StandInCredentialHelperOptions {
  /** A fresh directory to hold the DOCKER_CONFIG dir and the helper's bin dir. */
  dir: string;
  /** Registry host (`127.0.0.1:PORT`) whose `credHelpers` entry points at the helper. */
  registry: string;
  /** What `get` answers. */
  username: string;
  secret: string;
  /** The helper is `docker-credential-<name>`. Default `e2estandin`. */
  name?: string;
  /** PATH to append after the helper's bin dir. Default `process.env.PATH`. */
  basePath?: string;
}

export interface StandInCredentialHelper {
  /** DOCKER_CONFIG (its config.json has `credHelpers: {registry: name}`) and PATH (helper first). */
  env: { DOCKER_CONFIG: string; PATH: string };
  configDir: string;
  binDir: string;
  helperPath: string;
  /** Changes what the next `get` answers. */
  setAnswer(username: string, secret: string): Promise<void>;
  /** The calls the helper got so far: action (`get`, `store`...) and the server URL it was given. */
  calls(): Promise<Array<{ action: string; serverUrl: string }>>;
}

/**
 * Writes a stand-in docker credential helper: `docker-credential-<name>`, a small sh script
 * that answers `get` with `{ServerURL, Username, Secret}` from a file (mode 0600, so the secret
 * is in no command line), accepts `store`/`erase`, and logs the calls (never the secret).
 */
export async function writeStandInCredentialHelper(
  options: StandInCredentialHelperOptions,
): Promise<StandInCredentialHelper> {
  const name = options.name ?? 'e2estandin';
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`Invalid credential helper name "${name}"`);
  const configDir = join(options.dir, 'docker-config');
  const binDir = join(options.dir, 'bin');
  const answerPath = join(options.dir, 'credential-answer.json');
  const callsPath = join(options.dir, 'credential-calls.log');
  await mkdir(configDir, { recursive: true });
  await mkdir(binDir, { recursive: true });
  await writeFile(
    join(configDir, 'config.json'),
    `${JSON.stringify({ credHelpers: { [options.registry]: name } }, null, 2)}\n`,
  );
  const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;
  const helperPath = join(binDir, `docker-credential-${name}`);
  await writeFile(
    helperPath,
    `#!/bin/sh
# Stand-in credential helper written by @ar/test-support for e2e tests.
action="$1"
input=$(cat)
# store's input holds the secret: log the action only.
if [ "$action" = store ]; then input=; fi
printf '%s\\t%s\\n' "$action" "$input" >> ${quote(callsPath)}
case "$action" in
  get) cat ${quote(answerPath)} ;;
  store|erase) ;;
  list) printf '{}\\n' ;;
  *) echo "unknown action $action" >&2; exit 1 ;;
esac
`,
  );
  await chmod(helperPath, 0o755);
  const setAnswer = async (username: string, secret: string) => {
    await writeFile(
      answerPath,
      JSON.stringify({ ServerURL: options.registry, Username: username, Secret: secret }),
      {
        mode: 0o600,
      },
    );
  };
  await setAnswer(options.username, options.secret);
  return {
    env: {
      DOCKER_CONFIG: configDir,
      PATH: [binDir, options.basePath ?? process.env.PATH ?? ''].join(delimiter),
    },
    configDir,
    binDir,
    helperPath,
    setAnswer,
    async calls() {
      let text: string;
      try {
        text = await readFile(callsPath, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [action = '', serverUrl = ''] = line.split('\t');
          return { action, serverUrl: serverUrl.trim() };
        });
    },
  };
}
