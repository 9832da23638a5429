// Which paths an RPC call may read or write: the open project, the model cache, and what
// the person chose this session (typed, browsed, or through the desktop's picker). Paths
// are compared after resolving symlinks, so a link inside a chosen folder that points out
// of it is outside too. What may be written is narrower: never a project's own files.
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import { realPath } from '../../../src-node-shared/fs/real-path';

export { realPath };

/** True when `path` is `root` or lies under it; both already real. */
export function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** What a project keeps beside studio.db, by the first name under its folder (lowercased: some disks ignore case). */
const PROJECT_OWN: Record<string, string> = {
  'studio.db': "the project's own database",
  'studio.db-wal': "the project's write-ahead log (part of its database)",
  'studio.db-shm': "the project's shared-memory file (part of its database)",
  'studio.db-journal': "the project's rollback journal (part of its database)",
  'studio.owner': "the project's lock file (which window has it open)",
  thumbs: "inside the project's thumbnails folder",
  cache: "inside the project's feature cache",
  runs: "inside the project's runs folder (checkpoints and exports)",
  backups: "inside the project's backups of its database",
};

/** What `name` (the first part of a path under a project folder) is to the project, or null when it is the user's. */
function ownEntry(name: string): string | null {
  const key = name.toLowerCase();
  if (Object.hasOwn(PROJECT_OWN, key)) return PROJECT_OWN[key]!;
  if (key.startsWith('studio.db.bak-')) return "a backup of the project's database";
  return key.startsWith('studio.db.before-restore-') ? "the project's database as it was before a restore" : null;
}

/**
 * Why writing `path` would overwrite a file of a project (any folder holding studio.db
 * above it, after links are resolved), or null when it would not.
 */
export function projectFileOf(path: string): { project: string; what: string } | null {
  const real = realPath(path);
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const what = existsSync(join(dir, 'studio.db')) ? ownEntry(relative(dir, real).split(sep)[0]!) : null;
    if (what) return { project: dir, what };
    if (dirname(dir) === dir) return null;
  }
}

/** Refuses a write onto a project's own files, naming the file, why, and where to write instead. */
export function refuseProjectFile(path: string, field: string): void {
  const own = projectFileOf(path);
  if (!own) return;
  throw new StudioError(
    'path-not-allowed',
    `${field} ${path} is ${own.what} (project ${own.project}); writing there would destroy the project. ` +
      `Choose a file outside studio.db, studio.owner, thumbs/, cache/, runs/ and backups/ (elsewhere in ${own.project} is fine).`,
  );
}

export class PathAccess {
  readonly #chosen = new Set<string>();
  readonly #always: () => ReadonlyArray<string | null | undefined>;

  /** `always`: what is allowed without being chosen (the open project, the model cache), asked each time. */
  constructor(always: () => ReadonlyArray<string | null | undefined>) {
    this.#always = always;
  }

  /** Allows `path` (a folder: everything under it) for the rest of the session; returns its real path. */
  grant(path: string): string {
    const real = realPath(path);
    this.#chosen.add(real);
    return real;
  }

  allows(path: string): boolean {
    const real = realPath(path);
    const roots = [...this.#chosen, ...this.#always().flatMap((p) => (p ? [realPath(p)] : []))];
    return roots.some((root) => within(real, root));
  }

  /** Refuses a path that is not allowed, naming the field and what to do. */
  check(path: string, field: string): void {
    if (this.allows(path)) return;
    throw new StudioError(
      'path-not-allowed',
      `${field} ${path} is outside the open project, the model cache and the folders chosen in this session. ` +
        'Choose it with Browse… (or type it into the field and confirm) first.',
    );
  }

  /** As `check`, for a path about to be written: a project's own files are refused even where reading is allowed. */
  checkWrite(path: string, field: string): void {
    this.check(path, field);
    refuseProjectFile(path, field);
  }
}
