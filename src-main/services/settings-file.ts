// A per-user settings file (the recent projects, the window's bounds): JSON checked by a
// schema, written whole and atomically. Settings are a convenience, never the only copy of
// anything: a missing or damaged file reads as the fallback, and a folder that cannot be
// written costs the setting, not the work the person is doing.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

export function readSettings<S extends z.ZodType>(file: string, schema: S, fallback: z.output<S>): z.output<S> {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // No file yet, or not JSON.
  }
  return fallback;
}

export function writeSettings(file: string, value: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value, null, 2));
    renameSync(tmp, file);
  } catch {
    // Read-only or full: the setting is lost, nothing else.
  }
}
