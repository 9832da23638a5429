// One window per project: the desktop app or a server that opens a project for a person to
// work in writes <project>/studio.owner, and a second one on the same project is refused,
// told where the first runs. Commands (import, train, export) are not windows and never
// take it; SQLite keeps their writes apart. An owner whose process is gone is replaced.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../../src-shared/errors';

export const OWNER_FILE = 'studio.owner';

// `claim` tells this take from a later one by the same process (the same project opened again).
const Owner = z.object({
  pid: z.number().int(),
  host: z.string(),
  door: z.string(),
  startedAt: z.number(),
  claim: z.string().optional(),
});
type Owner = z.infer<typeof Owner>;

/** True while `owner`'s process runs; an owner on another machine (a shared disk) counts as running. */
function running(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false; // This process's own earlier open: it is being replaced.
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): Owner | null {
  try {
    const parsed = Owner.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Takes `dir` for this process as `door` ("the desktop app", "the server"); returns the
 * release. A project that cannot be written (read-only) is not taken: it cannot be changed
 * from two places. Refuses when another running window owns it.
 */
export function takeProject(dir: string, door: string, now = Date.now()): () => void {
  const file = join(dir, OWNER_FILE);
  const mine: Owner = { pid: process.pid, host: hostname(), door, startedAt: now, claim: randomUUID() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return () => undefined;
      if (code !== 'EEXIST') throw err;
      const owner = readOwner(file);
      if (owner && running(owner)) {
        const where = owner.host === hostname() ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
        throw new StudioError(
          'busy',
          `${dir} is already open in ${owner.door} (${where}, since ${new Date(owner.startedAt).toLocaleString()}). ` +
            `Switch to that window, or close it first. If it is gone, delete ${file}.`,
        );
      }
      unlinkSync(file); // Stale (its process ended) or unreadable: replaced.
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(mine));
    } finally {
      closeSync(fd);
    }
    return () => {
      if (readOwner(file)?.claim === mine.claim) unlinkSync(file);
    };
  }
  throw new StudioError('busy', `${dir} is being opened by another window at this moment; try again.`);
}
