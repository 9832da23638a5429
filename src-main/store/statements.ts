// Prepared statements, compiled once per connection: an import runs the same few
// statements hundreds of thousands of times, and compiling each time showed in profiles.
import type { Statement } from 'better-sqlite3';
import type { Database } from './db';

const caches = new WeakMap<Database, Map<string, Statement>>();

export function sql(db: Database, text: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = db.prepare(text)));
  return statement;
}
