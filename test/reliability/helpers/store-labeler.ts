// One labeling client for the contention probe, a process with its own connection (as
// another studio window would be): it labels its own images as fast as it can, through the
// same function the RPC handler calls, until the stop file appears, and prints what it
// last gave each image as JSON.
import { existsSync } from 'node:fs';
import { StudioError } from '../../../src-shared/errors';
import { seededRandom } from '../../../src-shared/random';
import { openProject } from '../../../src-main/services/project/project';
import { assignLabel } from '../../../src-main/services/labels/labels';

interface Job {
  projectDir: string;
  imageIds: number[];
  classIds: number[];
  stopFile: string;
  seed: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const project = openProject(job.projectDir, { create: false });
const values: (number | null)[] = [...job.classIds, null];
const expected = new Map<number, number | null>();
const random = seededRandom(job.seed);
let calls = 0;
let edits = 0;
const errors: string[] = [];
try {
  for (let k = 0; k < 20 || !existsSync(job.stopFile); k++) {
    const ids = job.imageIds.filter(() => random() < 0.4);
    if (!ids.length) continue;
    const value = values[k % values.length];
    try {
      const out = assignLabel(project.db, ids, value, Date.now());
      calls++;
      if (out.editId !== null) edits++;
      for (const id of ids) expected.set(id, value);
    } catch (err) {
      errors.push(err instanceof StudioError ? `${err.code}: ${err.message}` : String(err));
    }
  }
} finally {
  project.close();
}
process.stdout.write(JSON.stringify({ expected: [...expected], calls, edits, errors }));
