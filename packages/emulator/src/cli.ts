#!/usr/bin/env node
import { isArError } from '@ar/errors';
import { runStartCommand, startUsage } from './start-command.js';

const [command, ...rest] = process.argv.slice(2);
const run =
  command === 'start'
    ? runStartCommand(rest, { command: 'gar-emulator start', stdout: process.stdout, stderr: process.stderr })
    : Promise.resolve().then(() => {
        process.stderr.write(startUsage('gar-emulator start'));
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
