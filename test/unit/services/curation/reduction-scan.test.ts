// The background reduction scan: reads thumbnails, reports progress, and skips a missing one
// rather than stalling.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CurationProgress } from '../../../../src-shared/curation';
import { scanReductions } from '../../../../src-main/services/curation/reduction-scan';
import { thumbFile } from '../../../../src-main/services/project/thumbs';
import { importer } from '../../../integration/import/helpers';
import { writeGroupedDataset } from '../../../fixtures/curation-dataset';
import { skipWithoutData } from '../../../fixtures/fashion-copies';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test(
  'reduces every image from its thumbnail, skips a missing thumbnail, and ends with running: false',
  { skip: skipWithoutData },
  async () => {
    const data = mkdtempSync(join(tmpdir(), 'studio-scan-data-'));
    const dir = mkdtempSync(join(tmpdir(), 'studio-scan-project-'));
    dirs.push(data, dir);
    await writeGroupedDataset(data, 2, 5, 4);
    const imp = importer(dir);
    await imp.run(data);
    const { db, thumbsDir } = imp.project;
    const hashes = db.prepare('SELECT hash FROM images ORDER BY id').all() as { hash: string }[];
    unlinkSync(thumbFile(thumbsDir, hashes[3].hash));
    const events: CurationProgress[] = [];
    const done = await scanReductions(db, thumbsDir, (p) => events.push(p));
    assert.equal(done, 40);
    const reduced = db
      .prepare('SELECT count(*) AS n FROM images WHERE length(reduction) = 1024 AND grayscale = 1')
      .get() as { n: number };
    assert.equal(reduced.n, 39, 'Fashion-MNIST is grayscale; the image without a thumbnail stays unreduced');
    assert.deepEqual(events.at(-1), { stage: 'reducing', done: 40, total: 40, running: false });
    assert.ok(events.slice(0, -1).every((e) => e.running && e.done <= e.total));
    imp.project.close();
  },
);
