// Reading a file a person named (a CSV to import, a group list): a failure is refused with the
// file's name and the system's reason (ENOENT, EACCES), never a stack trace.
import { readFileSync } from 'node:fs';
import { StudioError } from '../../src-shared/errors';

/** The bytes of `file`; `what` names it in the refusal ("the group CSV /x.csv"), the path by default. */
export function readNamedFile(file: string, what = file): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new StudioError('not-found', `Cannot read ${what}: ${reason}. Check the path.`);
  }
}
