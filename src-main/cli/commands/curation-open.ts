// The curation service on a project opened for one command: edits are recorded (undoable
// in the app later); the reduction scan and the near-duplicate search report on stderr.
import { CurationService } from '../../services/curation/curation-service';
import { openProject, type OpenProjectOptions } from '../../services/project/project';

/** access 'read': a command that only reads works on a read-only project too. */
export async function withCuration<T>(dir: string, fn: (c: CurationService) => Promise<T> | T, access: OpenProjectOptions['access'] = 'write'): Promise<T> {
  const project = openProject(dir, { create: false, access });
  const curation = new CurationService(project, {
    edit: (change) => change(project.db, Date.now()),
    progress: (p) => {
      if (!process.stderr.isTTY) return;
      const what = p.stage === 'reducing' ? `scanning ${p.done}/${p.total}` : `${p.stage === 'comparing' ? 'comparing' : 'checking likely copies'} ${Math.floor(p.done / 10)} %`;
      // Padded, so a shorter line overwrites a longer one.
      process.stderr.write(p.running ? `\r${what.padEnd(40)}` : '\n');
    },
    clock: Date.now,
  });
  try {
    return await fn(curation);
  } finally {
    project.close();
  }
}
