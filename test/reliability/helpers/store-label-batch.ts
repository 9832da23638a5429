// A label batch for the kill probe: edits FROM..TO-1, each labelling every image of the
// project with class k % 2 as one recorded edit, as fast as it can.
import { openProject } from '../../../src-main/services/project/project';
import { assignLabel } from '../../../src-main/services/labels/labels';

const [dir, from, to, a, b] = process.argv.slice(2);
const project = openProject(dir!, { create: false });
const ids = (project.db.prepare('SELECT id FROM images ORDER BY id').all() as { id: number }[]).map((r) => r.id);
for (let k = Number(from); k < Number(to); k++)
  assignLabel(project.db, ids, k % 2 === 0 ? Number(a) : Number(b), Date.now());
project.close();
