#!/usr/bin/env node
import { isArError } from '@ar/errors';
import { runStartCommand, START_USAGE } from './start-command.js';

const [command, ...rest] = process.argv.slice(2);
const run =
  command === 'start'
    ? runStartCommand(rest, { stdout: process.stdout, stderr: process.stderr })
    : Promise.resolve().then(() => {
        process.stderr.write(START_USAGE.replace('Usage: start', 'Usage: gar-emulator start'));
        return command === '--help' || command === '-h' ? 0 : 2;
      });

run.then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = isArError(error)
      ? `${error.code}: ${error.message}`
      : String((error as Error)?.message ?? error);
    process.stderr.write(`gar-emulator: ${message}\n`);
    process.exitCode = 1;
  },
);
