// Runs end to end on a tiny project: through the contract (so every answer parses against
// its schema), a killed training process resumed to the end, orphaned runs found on
// open, k-fold groups, refusals, and the learning-rate range test.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { RunService } from '../../../src-main/services/runs/run-service';
import { Studio } from '../../../src-main/services/studio';
import { getRunRow, setRunStatus } from '../../../src-main/store/repos/runs';
import { RunConfig } from '../../../src-shared/engine-config';
import type { RunConfigInput } from '../../../src-shared/engine-config';
import { StudioError } from '../../../src-shared/errors';
import type { LrRangeProgress } from '../../../src-shared/runs';
import { caller, makeProject, recorder, tempDir } from './helpers';
import type { Group, Made } from './helpers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const base: RunConfigInput = {
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: 96,
  phase1: { epochs: 3, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
  seed: 3,
};
const cfg = (over: Partial<RunConfigInput> = {}) => RunConfig.parse({ ...base, ...over });

async function project(
  groups: Group[] = [
    { className: 'rows', split: 'train' as const, count: 6 },
    { className: 'cols', split: 'train' as const, count: 6 },
    { className: 'rows', split: 'test' as const, count: 3 },
    { className: 'cols', split: 'test' as const, count: 3 },
  ],
): Promise<Made> {
  const made = await makeProject(groups, tempDir('runs'));
  dirs.push(made.dir);
  return made;
}

test('a run through the contract: queued, trained, every epoch and the test predictions stored', async () => {
  const made = await project();
  made.project.close();
  const studio = new Studio({ runs: { backend: 'wasm' } });
  const events: string[] = [];
  studio.hub.subscribe((m) => void (m.kind === 'event' && m.name.startsWith('runs.') && events.push(m.name)));
  const call = caller(studio);
  await call('folders', 'pick', { path: made.project.dir }); // as the start page does with a typed path
  await call('project', 'open', { path: made.project.dir });
  const backbones = await call('backbones', 'list');
  assert.deepEqual(
    backbones.find((b: any) => b.id === 'nsfwjs_mobilenet_v2').featureShapes.find((s: any) => s.inputSize === 96).shape,
    [3, 3, 1280],
  );
  const { runIds, groupId } = await call('runs', 'start', { config: { ...base, inputSize: undefined }, name: 'first' });
  assert.equal(groupId, null);
  await studio.idle();
  const run = await call('runs', 'get', { runId: runIds[0] });
  assert.equal(run.status, 'done', run.message);
  assert.equal(run.config.inputSize, 224, 'the default input size is stored explicitly');
  assert.deepEqual(run.classes, ['cols', 'rows']);
  assert.equal(run.backend, 'wasm');
  assert.deepEqual(run.splitSizes, { train: 10, val: 2, test: 6 });
  assert.match(
    run.message,
    /No validation split: 2 training images were held out as validation for this run only \(seed 3\)/,
  );
  assert.equal(run.epochs, 3);
  assert.ok(
    run.bestValAcc !== null && run.gap !== null && run.testAcc !== null && run.modelBytes === (1280 * 2 + 2) * 4,
  );
  assert.match(run.manifestDigest, /^[0-9a-f]{64}$/);
  const epochs = await call('runs', 'epochs', { runId: runIds[0] });
  assert.deepEqual(
    epochs.phase1.map((m: any) => m.epoch),
    [0, 1, 2],
  );
  const preds = await call('runs', 'predictions', { runId: runIds[0] });
  assert.equal(preds.total, 6);
  assert.ok(
    preds.items.every((p: any, i: number) => i === 0 || p.loss <= preds.items[i - 1].loss),
    'highest loss first',
  );
  const cell = await call('runs', 'predictions', { runId: runIds[0], trueClass: 0, predicted: 0 });
  assert.equal(cell.total, run.result.test.confusion[0][0]);
  const list = await call('runs', 'list');
  assert.deepEqual(
    list.map((r: any) => [r.id, r.status, r.name]),
    [[runIds[0], 'done', 'first']],
  );
  for (const e of ['runs.status', 'runs.epoch', 'runs.progress']) assert.ok(events.includes(e), `${e} was emitted`);
  await call('project', 'close');
});

test('a killed training process leaves the run interrupted; resume finishes it with each epoch once', async () => {
  const made = await project();
  let killed = false;
  const rec = recorder((e) => {
    if (killed) return;
    killed = true;
    process.kill(getRunRow(made.project.db, e.runId)!.pid!, 'SIGKILL');
  });
  const service = new RunService(made.project, rec.events, { backend: 'wasm' });
  const { runIds } = service.start({
    config: cfg({ phase1: { epochs: 30, batchSize: 2, optimizer: { kind: 'adam', lr: 0.01 } } }),
  });
  const runId = runIds[0]!;
  await service.idle();
  let row = getRunRow(made.project.db, runId)!;
  assert.equal(row.status, 'interrupted', row.message ?? '');
  assert.match(row.message!, /killed \(SIGKILL\)\. Resume goes on from its last finished epoch/);
  assert.ok(row.epochs < 30, `killed after ${row.epochs} epochs`);
  service.resume({ runId });
  await service.idle();
  row = getRunRow(made.project.db, runId)!;
  assert.equal(row.status, 'done', row.message ?? '');
  const stored = made.project.db
    .prepare('SELECT phase, epoch FROM run_epochs WHERE run_id = ? ORDER BY phase, epoch')
    .all(runId) as { epoch: number }[];
  assert.deepEqual(
    stored.map((r) => r.epoch),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.equal(row.epochs, 30);
  assert.equal(service.get({ runId }).result!.phases[0]!.epochs, 30);
  made.project.close();
});

test('opening a project marks runs whose process is gone as interrupted, and only those', async () => {
  const made = await project();
  const service = new RunService(made.project, recorder().events, { backend: 'wasm' });
  const { runIds } = service.start({ config: cfg(), folds: 2 });
  await service.stop();
  assert.deepEqual(
    runIds.map((id) => service.get({ runId: id }).status),
    ['interrupted', 'interrupted'],
    'closing interrupts what trains or waits',
  );
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  setRunStatus(made.project.db, runIds[0]!, 'running', null, null);
  made.project.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(dead, runIds[0]);
  setRunStatus(made.project.db, runIds[1]!, 'running', null, null);
  made.project.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(process.pid, runIds[1]);
  const reopened = new RunService(made.project, recorder().events);
  assert.equal(reopened.get({ runId: runIds[0]! }).status, 'interrupted');
  assert.match(reopened.get({ runId: runIds[0]! }).message!, /ended before it finished\. Resume goes on/);
  assert.equal(reopened.get({ runId: runIds[1]! }).status, 'running', 'a live process keeps its run');
  made.project.close();
});

test('k-fold runs one run per fold and summarises them as mean and standard deviation', async () => {
  const made = await project();
  const service = new RunService(made.project, recorder().events, { backend: 'wasm' });
  const { runIds, groupId } = service.start({
    config: cfg({ phase1: { epochs: 2, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } } }),
    folds: 2,
    name: 'cv',
  });
  await service.idle();
  assert.equal(runIds.length, 2);
  const g = service.groupSummary({ groupId: groupId! });
  assert.equal(g.done, 2);
  assert.deepEqual(
    g.runs.map((r) => [r.fold, r.name]),
    [
      [0, 'cv · fold 1/2'],
      [1, 'cv · fold 2/2'],
    ],
  );
  const accs = g.runs.map((r) => r.bestValAcc!);
  assert.equal(g.metrics.bestValAcc!.n, 2);
  assert.ok(Math.abs(g.metrics.bestValAcc!.mean - (accs[0]! + accs[1]!) / 2) < 1e-12);
  assert.ok(Math.abs(g.metrics.bestValAcc!.std - Math.abs(accs[0]! - accs[1]!) / Math.SQRT2) < 1e-12);
  const sizes = runIds.map((id) => service.get({ runId: id }).splitSizes!);
  assert.deepEqual(sizes.map((s) => s.val).sort(), [6, 6], 'each fold validates on half of train');
  made.project.close();
});

test('refusals name what is missing and what to do; the range test answers with a curve', async () => {
  const one = await project([
    { className: 'cat', split: null, count: 3 },
    { className: null, split: null, count: 2 },
  ]);
  const s1 = new RunService(one.project, recorder().events);
  assert.throws(
    () => s1.start({ config: cfg() }),
    (e: unknown) => e instanceof StudioError && /only class "cat"\. Label images of another class/.test(e.message),
  );
  assert.throws(
    () => s1.start({ config: cfg({ inputSize: 100 }) }),
    /config: backbone "nsfwjs_mobilenet_v2": input size 100 is not supported; use one of 96, 128, 160, 192, 224/,
  );
  one.project.close();
  const made = await project();
  const service = new RunService(made.project, recorder().events, { backend: 'wasm' });
  const r = await service.lrRangeTest({ config: cfg() });
  assert.ok(r.curve.length > 10);
  assert.ok(r.curve.every((p, i) => i === 0 || p.lr > r.curve[i - 1]!.lr));
  made.project.close();
});

test('the range test reports its steps, stops when cancelled with its process gone, and runs again', async () => {
  const made = await project();
  const seen: LrRangeProgress[] = [];
  let onProgress = (_: LrRangeProgress): void => {};
  const events = { ...recorder().events, lrRange: (p: LrRangeProgress) => (seen.push(p), onProgress(p)) };
  const service = new RunService(made.project, events, { backend: 'wasm' });
  onProgress = (p) => p.stage === 'steps' && p.done === 3 && service.lrRangeCancel();
  const first = service.lrRangeTest({ config: cfg() });
  await assert.rejects(
    service.lrRangeTest({ config: cfg() }),
    (e: unknown) => e instanceof StudioError && e.code === 'busy',
    'one range test at a time',
  );
  // runEngineTask settles only once the training process has exited, so this also says it is gone.
  await assert.rejects(first, (e: unknown) => e instanceof StudioError && e.code === 'cancelled');
  const steps = seen.filter((p) => p.stage === 'steps');
  assert.deepEqual(
    steps.slice(0, 3).map((p) => [p.done, p.total]),
    [
      [1, 100],
      [2, 100],
      [3, 100],
    ],
  );
  assert.ok(steps.length < 10, `stopped soon after the cancel, not after ${steps.length} steps`);
  onProgress = () => {};
  seen.length = 0;
  const again = await service.lrRangeTest({ config: cfg() });
  assert.ok(again.curve.length > 10);
  const last = seen.filter((p) => p.stage === 'steps').at(-1)!;
  assert.equal(last.done, again.curve.length, 'the last step reported is the last point of the curve');
  made.project.close();
});
