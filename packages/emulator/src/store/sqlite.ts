import { createRequire } from 'node:module';

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

/**
 * Node's own SQLite (`node:sqlite`, Node 22.13 and later) where it exists, else better-sqlite3
 * (Node 20). Under Node 24, better-sqlite3 12 can abort a process at exit (a statement finalised
 * after Node's environment is gone); the built-in needs no native build either.
 */
export function openSqlite(path: string): SqliteDatabase {
  const builtin = loadBuiltin();
  if (builtin) return new builtin.DatabaseSync(path);
  // Required at run time, not imported: bundles keep the native addon external, and Node 24 never loads it.
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => SqliteDatabase;
  return new Database(path);
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
