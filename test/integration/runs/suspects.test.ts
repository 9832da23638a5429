// Label-error candidates from a 3-fold run: a 'rows' image planted in the 'cols' class is
// predicted out of fold (its fold's run never trained on it) and leads the candidates;
// relabelling it changes what the list reports as its label now.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../../src-main/cli/index';
import { Studio } from '../../../src-main/services/studio';
import { createImport, finishImport } from '../../../src-main/store/repos/imports';
import type { SuspectsOutput } from '../../../src-shared/bakeoff';
import { caller, makeProject, recordImage, tempDir, writeImage } from './helpers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a planted mislabelled image leads the out-of-fold label-error candidates of a 3-fold run', async () => {
  const made = await makeProject(
    [
      { className: 'cols', split: 'train', count: 8 },
      { className: 'diag', split: 'train', count: 8 },
      { className: 'rows', split: 'train', count: 8 },
    ],
    tempDir('suspects'),
  );
  dirs.push(made.dir);
  // Class index 2 ('rows' in sorted order) drawn, then filed under 'cols'.
  const planted = join(made.imagesDir, 'train', 'cols', 'planted.png');
  await writeImage(planted, 2, 5);
  const db = made.project.db;
  const importId = createImport(db, made.imagesDir, process.pid, Date.now());
  const { imageId: plantedId } = recordImage(db, importId, planted, 'cols', 'train');
  finishImport(db, importId, 'done', Date.now(), null);
  made.project.close();

  const studio = new Studio({ runs: { backend: 'wasm' } });
  const call = caller(studio);
  await call('folders', 'pick', { path: made.project.dir }); // as the start page does with a typed path
  await call('project', 'open', { path: made.project.dir });
  const single = await call('runs', 'start', {
    config: {
      backboneId: 'nsfwjs_mobilenet_v2',
      inputSize: 96,
      phase1: { epochs: 1, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } },
      seed: 2,
    },
  });
  const config = {
    backboneId: 'nsfwjs_mobilenet_v2',
    inputSize: 96,
    phase1: { epochs: 6, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } },
    seed: 2,
  };
  const { runIds, groupId } = await call('runs', 'start', { config, folds: 3 });
  await studio.idle();
  await assert.rejects(call('runs', 'suspects', { runId: single.runIds[0] }), /not part of a k-fold group/);

  const s: SuspectsOutput = await call('runs', 'suspects', { runId: runIds[1] });
  assert.equal(s.groupId, groupId);
  assert.deepEqual(s.classes, ['cols', 'diag', 'rows']);
  assert.equal(s.foldsDone, 3);
  assert.equal(s.images, 25, 'every image of train + val has exactly one out-of-fold prediction');
  assert.ok(s.items.length >= 1 && s.items.length === Math.min(s.total, 100));
  const top = s.items.slice(0, 3);
  const hit = top.find((x) => x.imageId === plantedId);
  assert.ok(
    hit,
    `the planted image is among the top 3: ${JSON.stringify(s.items.map((x) => [x.imageId, x.selfConfidence.toFixed(2)]))}`,
  );
  assert.equal(s.classes[hit.given], 'cols');
  assert.equal(s.classes[hit.suggested], 'rows');
  assert.equal(hit.currentClass, 'cols');
  assert.ok(
    s.items.every((x, i) => i === 0 || x.selfConfidence >= s.items[i - 1]!.selfConfidence),
    'most doubted first',
  );
  // The fold that held the planted image out is the one reported, and it did not train on it.
  const foldRun = await call('runs', 'get', { runId: hit.runId });
  assert.equal(foldRun.groupId, groupId);

  const byGroup: SuspectsOutput = await call('runs', 'suspects', { runId: groupId, group: true, limit: 1 });
  assert.equal(byGroup.items.length, 1);
  assert.equal(byGroup.items[0]!.imageId, s.items[0]!.imageId);

  const classes = await call('dataset', 'classes');
  await call('labels', 'assign', { imageIds: [plantedId], classId: classes.find((c: any) => c.name === 'rows').id });
  const after1: SuspectsOutput = await call('runs', 'suspects', { runId: runIds[0] });
  assert.equal(after1.items.find((x) => x.imageId === plantedId)!.currentClass, 'rows');
  await call('labels', 'undo');
  const after2: SuspectsOutput = await call('runs', 'suspects', { runId: runIds[0] });
  assert.equal(after2.items.find((x) => x.imageId === plantedId)!.currentClass, 'cols');
  await call('project', 'close');

  // `studio suspects` asks the same question through the contract and prints the same ranking.
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => void printed.push(line);
  try {
    await buildProgram().parseAsync([
      'node',
      'studio',
      'suspects',
      made.project.dir,
      String(runIds[0]),
      '--json',
      '--limit',
      '3',
    ]);
  } finally {
    console.log = log;
  }
  const cli = JSON.parse(printed.join('\n')) as SuspectsOutput;
  assert.deepEqual(
    cli.items.map((x) => x.imageId),
    after2.items.slice(0, 3).map((x) => x.imageId),
  );
});
