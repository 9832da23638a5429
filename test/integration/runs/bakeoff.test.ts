// A bake-off of two backbones on one tiny plan: the bundled nsfwjs MobileNetV2 and the
// Keras MobileNet 0.25 imported from the fixture file, both at 96 px, two epochs. Through
// the contract, so every answer parses against its schema; then the studio restarts and
// the stored bake-off reads the same.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Studio } from '../../../src-main/services/studio';
import type { BakeoffSummary } from '../../../src-shared/bakeoff';
import { BakeoffService } from '../../../src-main/services/runs/bakeoff';
import { RunService } from '../../../src-main/services/runs/run-service';
import { RunConfig } from '../../../src-shared/engine-config';
import { caller, makeProject, recorder, rowsAndCols, tempDir } from './helpers';

const FIXTURE = join(import.meta.dirname, '../../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const plan = {
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: 224,
  phase1: { epochs: 2, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
  seed: 5,
};

test('a bake-off of two backbones queues one run each on one manifest and seed, and tabulates them', async () => {
  const made = await makeProject(rowsAndCols(6, 2, 3), tempDir('bakeoff'));
  dirs.push(made.dir);
  made.project.close();
  const modelCacheDir = join(made.dir, 'models');
  const studio = new Studio({ runs: { backend: 'wasm' }, modelCacheDir });
  await studio.backbones.import({ file: FIXTURE, id: 'mobilenet_0.25' });
  const call = caller(studio);
  await call('folders', 'pick', { path: made.project.dir }); // as the start page does with a typed path
  await call('project', 'open', { path: made.project.dir });

  await assert.rejects(
    call('runs', 'bakeoff', {
      config: plan,
      entries: [
        { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 },
        { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 },
      ],
    }),
    /listed twice/,
  );
  await assert.rejects(
    call('runs', 'bakeoff', {
      config: plan,
      entries: [{ backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 }, { backboneId: 'no_such_net' }],
    }),
    /no_such_net/,
  );
  assert.deepEqual(await call('runs', 'list'), [], 'a refused bake-off queues nothing');

  const entries = [
    { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 },
    { backboneId: 'mobilenet_0.25', inputSize: 96 },
  ];
  const { bakeoffId, runIds } = await call('runs', 'bakeoff', { config: plan, entries, name: 'mnv2 vs mn0.25' });
  assert.equal(runIds.length, 2);
  await studio.idle();
  const runs = await Promise.all(runIds.map((runId: number) => call('runs', 'get', { runId })));
  assert.deepEqual(
    runs.map((r: any) => [r.status, r.backboneId, r.config.inputSize, r.seed]),
    [
      ['done', 'nsfwjs_mobilenet_v2', 96, 5],
      ['done', 'mobilenet_0.25', 96, 5],
    ],
    runs.map((r: any) => r.message).join(' | '),
  );
  assert.equal(runs[0].manifestDigest, runs[1].manifestDigest, 'both runs train on the same frozen split');
  assert.deepEqual(runs[0].config.phase1, runs[1].config.phase1);

  const s: BakeoffSummary = await call('runs', 'bakeoffSummary', { bakeoffId });
  assert.equal(s.name, 'mnv2 vs mn0.25');
  assert.equal(s.manifestDigest, runs[0].manifestDigest);
  assert.equal(s.done, 2);
  assert.equal(s.accuracyOf, 'test');
  assert.deepEqual(
    s.rows.map((r) => [r.runId, r.backboneId, r.inputSize, r.epochs]),
    [
      [runIds[0], 'nsfwjs_mobilenet_v2', 96, 2],
      [runIds[1], 'mobilenet_0.25', 96, 2],
    ],
  );
  for (const [i, r] of s.rows.entries()) {
    assert.equal(r.testAcc!.n, 6);
    assert.equal(r.testAcc!.value, runs[i].testAcc);
    assert.ok(
      r.testAcc!.low <= r.testAcc!.value && r.testAcc!.value <= r.testAcc!.high,
      'the Wilson interval holds the estimate',
    );
    assert.ok(r.testAcc!.high - r.testAcc!.low > 0.3, 'six test images leave a wide interval');
    assert.equal(r.valAcc!.n, 4);
    assert.equal(r.valAcc!.value, runs[i].bestValAcc);
    assert.equal(r.testMacroF1, runs[i].testMacroF1);
    assert.ok(r.phase1EpochMs! > 0 && r.phase2EpochMs === null);
    assert.ok(r.cacheMs! > 0, 'the feature cache was built by each backbone');
    assert.ok(r.latencyMs! > 0 && r.latencyMs! < 5000, `latency ${r.latencyMs} ms`);
    assert.equal(r.weightBytes, (r.backboneParams! + r.headParams!) * 4);
  }
  // Keras' own count for MobileNet 0.25 without the top; the head is avg pooling + dense 2.
  assert.equal(s.rows[1]!.backboneParams, 218_544);
  assert.equal(s.rows[1]!.headParams, 256 * 2 + 2);
  assert.equal(s.rows[0]!.headParams, 1280 * 2 + 2);
  assert.ok(
    s.rows.some((r) => r.pareto),
    'at least one row is on the Pareto front',
  );
  const [a, b] = s.rows as [BakeoffSummary['rows'][0], BakeoffSummary['rows'][0]];
  const aBeatsB = a.testAcc!.value >= b.testAcc!.value && a.latencyMs! <= b.latencyMs!;
  const bBeatsA = b.testAcc!.value >= a.testAcc!.value && b.latencyMs! <= a.latencyMs!;
  assert.equal(a.pareto, !bBeatsA || (aBeatsB && a.testAcc!.value === b.testAcc!.value && a.latencyMs === b.latencyMs));
  await call('project', 'close');

  // A restart: a new studio reads the same bake-off from the project.
  const again = new Studio({ runs: { backend: 'wasm' }, modelCacheDir });
  const call2 = caller(again);
  await call2('project', 'open', { path: made.project.dir });
  assert.deepEqual(
    (await call2('runs', 'bakeoffs')).map((x: any) => [x.bakeoffId, x.runIds]),
    [[bakeoffId, runIds]],
  );
  assert.deepEqual(await call2('runs', 'bakeoffSummary', { bakeoffId }), s);
  await assert.rejects(call2('runs', 'bakeoffSummary', { bakeoffId: 99 }), /no bake-off 99/);
  await call2('project', 'close');
});

test('a bake-off is one transaction: a failure at its second run or at its own row leaves no run, manifest or queue entry', async () => {
  const made = await makeProject(
    [
      { className: 'rows', split: 'train', count: 3 },
      { className: 'cols', split: 'train', count: 3 },
    ],
    tempDir('bakeoff-atomic'),
  );
  dirs.push(made.dir);
  const db = made.project.db;
  const r = recorder();
  const runs = new RunService(made.project, r.events, { backend: 'wasm' });
  const bakeoffs = new BakeoffService(made.project, runs);
  const input = {
    config: RunConfig.parse(plan),
    entries: [
      { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 },
      { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 128 },
    ],
  };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const tables = ['runs', 'manifests', 'bakeoffs', 'bakeoff_runs'];
  // Failures the store raises part-way: at the second run's insert, then at the bake-off's own row.
  const failures = [
    "CREATE TEMP TRIGGER fail BEFORE INSERT ON runs WHEN (SELECT count(*) FROM runs) = 1 BEGIN SELECT RAISE(ABORT, 'planted failure'); END",
    "CREATE TEMP TRIGGER fail BEFORE INSERT ON bakeoffs BEGIN SELECT RAISE(ABORT, 'planted failure'); END",
  ];
  for (const trigger of failures) {
    db.exec(trigger);
    assert.throws(() => bakeoffs.bakeoff(input), /planted failure/);
    assert.deepEqual(tables.map(count), [0, 0, 0, 0], `nothing written after: ${trigger.slice(0, 60)}`);
    assert.deepEqual(r.statuses, [], 'nothing queued');
    db.exec('DROP TRIGGER temp.fail');
  }
  assert.deepEqual(runs.list(), []);
  await runs.stop();
  made.project.close();
});
