// Which paths an RPC call may read or write: the open project, the model cache, and what
// the person chose this session (typed, browsed, or through the desktop's picker). Paths
// are compared after resolving symlinks, so a link inside a chosen folder that points out
// of it is outside too.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { StudioError } from '../../../src-shared/errors';

/** `path` with every symlink in its existing part resolved; the part not made yet is kept as written. */
export function realPath(path: string): string {
  const tail: string[] = [];
  let head = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      tail.push(basename(head));
      head = parent;
    }
  }
}

/** True when `path` is `root` or lies under it; both already real. */
export function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
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
}
