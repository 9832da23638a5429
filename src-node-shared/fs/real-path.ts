// Paths compared after resolving symlinks, so a link inside an allowed folder that points
// out of it counts as where it leads.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
