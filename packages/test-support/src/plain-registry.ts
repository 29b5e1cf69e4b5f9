import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A CNCF distribution registry without auth, on loopback, over plain HTTP, in its own temp dir. */
export interface PlainRegistry {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** Every request the registry logged so far: method and path. */
  readonly requests: ReadonlyArray<{ method: string; path: string }>;
  /** Kills the registry and removes its storage. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `docker-registry serve` (Debian package `docker-registry`) with no auth; ready once it
 * logs that it listens. Its request log is parsed from stderr (logfmt `http.request.method`,
 * `http.request.uri`), so tests can count what reached it.
 */
export async function startPlainRegistry(): Promise<PlainRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'ar-plain-registry-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const config = join(dir, 'registry.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: info',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('REGISTRY_')),
    );
    const started = spawn('docker-registry', ['serve', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    const requests: Array<{ method: string; path: string }> = [];
    const log: string[] = [];
    await new Promise<void>((resolve, reject) => {
      started.once('error', reject);
      started.once('exit', (code) =>
        reject(new Error(`docker-registry exited (${code}) before listening:\n${log.slice(-10).join('\n')}`)),
      );
      createInterface({ input: started.stderr! }).on('line', (line) => {
        log.push(line);
        if (line.includes('listening on')) resolve();
        const method = /http\.request\.method=(\S+)/.exec(line)?.[1];
        // logrus quotes a value only when it holds characters outside [A-Za-z0-9-._/@^+].
        const uri = /http\.request\.uri=(?:"([^"]+)"|(\S+))/.exec(line)?.slice(1).find(Boolean);
        if (method && uri && line.includes('response completed')) requests.push({ method, path: uri });
      });
    });
    return { host: `127.0.0.1:${port}`, requests, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
