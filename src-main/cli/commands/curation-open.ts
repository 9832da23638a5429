// The curation service on a project opened for one command: edits are recorded (undoable
// in the app later) and the reduction scan reports on stderr.
import { CurationService } from '../../services/curation-service/curation-service';
import { openProject } from '../../services/project/project';

export async function withCuration<T>(dir: string, fn: (c: CurationService) => Promise<T> | T): Promise<T> {
  const project = openProject(dir, { create: false });
  const curation = new CurationService(project, {
    edit: (change) => change(project.db, Date.now()),
    progress: (p) => {
      if (p.running && process.stderr.isTTY) process.stderr.write(`\rscanning ${p.done}/${p.total}`);
      else if (!p.running && process.stderr.isTTY) process.stderr.write('\n');
    },
    clock: Date.now,
  });
  try {
    return await fn(curation);
  } finally {
    project.close();
  }
}
