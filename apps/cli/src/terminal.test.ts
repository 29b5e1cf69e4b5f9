// Progress as a person sees it: the built `gar` runs in a real pseudo-terminal (util-linux
// `script`, its size set with `stty`), and what it wrote is played into a terminal emulator
// (@xterm/headless) to read the final screen. And in a pipe, as CI logs get it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { runCommand, writeOciLayoutImage } from '@ar/test-support';
import xterm from '@xterm/headless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GAR = fileURLToPath(new URL('../dist/gar.js', import.meta.url));
const PROJECT = 'tty-tests';
/** Three layers and a config: four blobs. */
const LAYERS = [3 * 1024 * 1024, 1024 * 1024, 64 * 1024];
const BLOB_LINE = /^ {2}[0-9a-f]{12} /;

let fixture: TestEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  fixture = await startTestEmulator({ project: PROJECT, repositories: ['apps'] });
  writeFileSync(
    join(fixture.work, 'gar.json'),
    JSON.stringify({ ...fixture.clientConfig(), repository: 'apps' }),
  );
  env = {
    PATH: process.env.PATH ?? '',
    HOME: fixture.work,
    TERM: 'xterm-256color',
    GAR_CONFIG: join(fixture.work, 'gar.json'),
    GAR_ACCESS_TOKEN: fixture.token('test-admin'),
  };
});
afterAll(async () => {
  await fixture?.stop();
});

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs `gar args` in a pseudo-terminal of `columns` columns; returns its status and the final screen. */
async function inTerminal(columns: number, args: string[]) {
  const rows = 50;
  const command = `stty cols ${columns} rows ${rows}; exec ${[process.execPath, GAR, ...args].map(quote).join(' ')}`;
  const { status, output } = await new Promise<{ status: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, output }));
    },
  );
  const terminal = new xterm.Terminal({ cols: columns, rows, scrollback: 1000, allowProposedApi: true });
  try {
    await new Promise<void>((resolve) => terminal.write(output, resolve));
    const buffer = terminal.buffer.active;
    const lines: { text: string; wrapped: boolean }[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i)!;
      lines.push({ text: line.translateToString(true), wrapped: line.isWrapped });
    }
    while (lines.length && lines[lines.length - 1]!.text === '') lines.pop();
    return { status, output, lines };
  } finally {
    terminal.dispose();
  }
}

async function gar(args: string[]) {
  const { code, stdout, stderr } = await runCommand(process.execPath, [GAR, ...args], { env });
  return { status: code, stdout, stderr };
}

describe('push progress', () => {
  for (const columns of [40, 80, 120]) {
    it(`draws one line per blob and a summary in place, none wider than ${columns} columns`, async () => {
      const layout = join(fixture.work, `layout-${columns}`);
      await writeOciLayoutImage(layout, { layerSizes: LAYERS });
      const run = await inTerminal(columns, ['push', `oci:${layout}`, `web-${columns}:1`]);
      expect(run.status, run.output).toBe(0);
      const texts = run.lines.map((line) => line.text);
      const screen = texts.join('\n');
      // Progress (stderr) stands above the result (stdout): exactly a line per blob and the
      // summary, none wrapped; a stacked frame would add lines.
      const progress = run.lines.slice(0, texts.indexOf(`Pushed web-${columns}:1 (1)`));
      expect(
        progress.filter((line) => BLOB_LINE.test(line.text)),
        screen,
      ).toHaveLength(LAYERS.length + 1);
      expect(progress.at(-1)?.text, screen).toMatch(/^push: 4\/4 blobs, /);
      expect(progress, screen).toHaveLength(LAYERS.length + 2);
      for (const line of progress) {
        expect(line.wrapped, screen).toBe(false);
        expect(line.text.length).toBeLessThanOrEqual(columns);
      }

      // Again: every blob is there already, and says so instead of a transfer rate.
      const again = await inTerminal(columns, ['push', `oci:${layout}`, `web-${columns}:1`]);
      expect(again.status, again.output).toBe(0);
      const repeated = again.lines.map((line) => line.text);
      const shown = repeated.slice(0, repeated.indexOf(`Pushed web-${columns}:1 (1)`));
      expect(shown, repeated.join('\n')).toEqual([
        ...Array.from({ length: LAYERS.length + 1 }, () =>
          expect.stringMatching(/^ {2}[0-9a-f]{12} .*already there$/),
        ),
        'push: 4/4 blobs, 4 already there',
      ]);
      expect(again.output).not.toContain('/s');
    });
  }

  it('writes one plain line per blob and a summary into a pipe', async () => {
    const layout = join(fixture.work, 'layout-pipe');
    await writeOciLayoutImage(layout, { layerSizes: LAYERS });
    const run = await gar(['push', `oci:${layout}`, 'web-pipe:1']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('\u001b');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(
      Array.from({ length: LAYERS.length + 1 }, () => expect.stringMatching(/^push: [0-9a-f]{12} .* done$/)),
    );
    expect(lines.at(-1)).toMatch(/^push: 4\/4 blobs, [\d.]+ MiB \/ [\d.]+ MiB, [\d.]+ MiB\/s$/);
    const again = await gar(['push', `oci:${layout}`, 'web-pipe:1']);
    expect(again.stderr.trimEnd().split('\n').at(-1)).toBe('push: 4/4 blobs, 4 already there');
  });
});
