// split, dupes and labels on the command line, as a user would run them, on small real datasets.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openProject } from '../../../src-main/services/project/project';
import { writeCopiesDataset, writeGroupedDataset, writeLeakyDataset } from '../../fixtures/curation-dataset';
import { studio } from '../import/cli-run';
import { skipWithoutData } from '../../fixtures/fashion-copies';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

function query<T>(dir: string, sql: string): T[] {
  const p = openProject(dir, { create: false });
  try {
    return p.db.prepare(sql).all() as T[];
  } finally {
    p.close();
  }
}

describe('curation on the command line', { skip: skipWithoutData }, () => {
  test('split --group-by regex keeps each patient in one split, with folds and a manifest', async () => {
    const data = temp('data');
    await writeGroupedDataset(data, 3, 8, 3);
    const project = temp('project');
    assert.equal(studio('import', project, data).status, 0);
    const r = studio(
      'split',
      project,
      '--val',
      '0.2',
      '--test',
      '0.2',
      '--seed',
      '3',
      '--group-by',
      'regex:^(P\\d+)_',
      '--folds',
      '3',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /groups 24, kept 0 predefined, folds 3/);
    assert.match(r.stdout, /manifest [0-9a-f]{64}/);
    const straddling = query<{ g: string }>(
      project,
      'SELECT group_key AS g FROM images GROUP BY group_key HAVING count(DISTINCT split) > 1',
    );
    assert.deepEqual(straddling, []);
    assert.equal(query(project, 'SELECT id FROM manifests').length, 1);
    const bad = studio('split', project, '--seed', '1', '--group-by', 'regex:P\\d+');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no capture group/);
  });

  test('split keeps near-duplicate copies in one split by default; --no-keep-clusters lets them leak', async () => {
    const data = temp('data');
    await writeCopiesDataset(data, 3, 16, 12);
    const project = temp('project');
    assert.equal(studio('import', project, data).status, 0);
    const loose = studio('split', project, '--seed', '5', '--val', '0.2', '--test', '0.2', '--no-keep-clusters');
    assert.equal(loose.status, 0, loose.stderr);
    assert.match(loose.stdout, /not kept together/);
    assert.equal(studio('dupes', project).status, 2, 'seed 5 without clusters scatters planted copies');
    const kept = studio('split', project, '--seed', '5', '--val', '0.2', '--test', '0.2', '--reassign');
    assert.equal(kept.status, 0, kept.stderr);
    const n = Number(/near-duplicate clusters kept together: (\d+)/.exec(kept.stdout)?.[1]);
    assert.ok(n >= 12, kept.stdout);
    const dupes = studio('dupes', project);
    assert.equal(dupes.status, 0, dupes.stdout);
  });

  test('dupes lists the leaking copy (exit 2), --fix keeps it in one split; labels export and import', async () => {
    const data = temp('data');
    const planted = await writeLeakyDataset(data);
    const project = temp('project');
    assert.equal(studio('import', project, data).status, 0);
    const listed = studio('dupes', project);
    assert.equal(listed.status, 2, listed.stderr);
    assert.match(listed.stdout, /LEAKING/);
    assert.ok(listed.stdout.includes(planted.copy));
    const fixed = studio('dupes', project, '--fix');
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout, /Fixed: Kept \d+ near-duplicate cluster/);
    assert.equal(studio('dupes', project).status, 0);
    const csv = join(temp('csv'), 'labels.csv');
    assert.match(studio('labels', 'export', project, csv).stdout, /wrote 25 rows/);
    assert.match(readFileSync(csv, 'utf8'), /^path,label,split,group\n/);
    assert.match(studio('labels', 'import', project, csv).stdout, /read 25 rows, changed 0 images/);
    const missing = studio('labels', 'import', project, join(data, 'nope.csv'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Cannot read .*nope\.csv/);
  });
});
