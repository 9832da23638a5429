// Writing a file the user named: the bytes go to a temporary file beside it, which is then
// renamed over it. A reader (or a crash) sees the old file or the new one, never a
// truncated mix, and a file that was a hard link to something else is replaced, not
// written through. A link named as the file is written where it leads, as a plain write would.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { realPath } from './real-path';

/** The file a write of `file` lands on, and a temporary name beside it. */
function targets(file: string): { final: string; tmp: string } {
  const final = realPath(file);
  return {
    final,
    tmp: join(dirname(final), `.${basename(final)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`),
  };
}

export function replaceFileSync(file: string, data: string | Uint8Array): void {
  const { final, tmp } = targets(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, final);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function replaceFile(file: string, data: string | Uint8Array): Promise<void> {
  const { final, tmp } = targets(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
