import { createRequire } from 'node:module';
import { EmulatorError } from '../errors.js';

/** The part of SQLite the store uses, in the shape better-sqlite3 and node:sqlite share. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}

type SqliteConstructor = new (path: string) => SqliteDatabase;

/**
 * Node's own SQLite (`node:sqlite`, Node 22.13 and later) where it exists, else better-sqlite3
 * (Node 20). Under Node 24, better-sqlite3 12 can abort a process at exit (a statement finalised
 * after Node's environment is gone); the built-in needs no native build either.
 */
export function openSqlite(path: string): SqliteDatabase {
  const builtin = loadBuiltin();
  if (builtin) return new builtin.DatabaseSync(path);
  return new (loadBetterSqlite3(import.meta.url))(path);
}

/**
 * better-sqlite3 as seen from `from` (a module URL). Required at run time, not imported: it is an
 * optional dependency (its native build may fail where no prebuilt binary or compiler is at hand,
 * and Node 22.13+ never needs it), and bundles such as gar keep it outside.
 */
export function loadBetterSqlite3(from: string): SqliteConstructor {
  try {
    return createRequire(from)('better-sqlite3') as SqliteConstructor;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new EmulatorError(
      'AR_EMULATOR_START_FAILED',
      `The emulator keeps its metadata in SQLite: Node ${process.version} has no node:sqlite (Node 22.13 and later do) and better-sqlite3 is not installed. Run on Node 22.13 or later, or install better-sqlite3 beside the emulator (npm install better-sqlite3; for a global gar, npm install -g better-sqlite3).`,
      { cause: error },
    );
  }
}

function loadBuiltin(): { DatabaseSync: new (path: string) => SqliteDatabase } | undefined {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    return getBuiltinModule?.('node:sqlite') as
      | { DatabaseSync: new (path: string) => SqliteDatabase }
      | undefined;
  } catch {
    return undefined; // Node 22 before 22.13 keeps it behind a flag
  }
}
