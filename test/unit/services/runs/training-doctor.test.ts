// The doctor over the store: migration 0008, the findings repo, and TrainingDoctor gathering a
// stored run's epochs, split sizes, image statistics and leakage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryStore, placeholderImage } from '../../../helpers/store';
import { findingCounts, getFindings, setFindings } from '../../../../src-main/store/repos/findings';
import { storeManifest } from '../../../../src-main/store/repos/manifests';
import { insertRun, upsertEpoch } from '../../../../src-main/store/repos/runs';
import { TrainingDoctor, runLeakage } from '../../../../src-main/services/runs/training-doctor';
import { freezeImageList } from '../../../../src-main/services/runs/run-image-list';
import type { RunImageList } from '../../../../src-main/services/runs/run-image-list';
import { detailOf } from '../../../../src-main/services/runs/run-views';
import { getRunRow } from '../../../../src-main/store/repos/runs';
import { history, config } from '../../shared/training-doctor/history';

const hash = (i: number) => i.toString(16).padStart(64, '0');

function project(trainDark = 0) {
  const { db, importId } = memoryStore();
  const ids = Array.from({ length: 30 }, (_, i) => placeholderImage(db, importId, hash(i)));
  // Reductions: the first `trainDark` training images nearly black, the rest mid grey.
  ids.forEach((id, i) =>
    db
      .prepare('UPDATE images SET reduction = ?, channels = ? WHERE id = ?')
      .run(Buffer.alloc(1024, i < trainDark ? 3 : 128), i === 0 ? 4 : 3, id),
  );
  const m: RunImageList = {
    classes: ['a', 'b'],
    seed: 1,
    valSource: 'split',
    fold: null,
    folds: null,
    train: ids.slice(0, 20).map((_, i) => ({ hash: hash(i), label: i % 2 })),
    val: ids.slice(20, 25).map((_, i) => ({ hash: hash(20 + i), label: i % 2 })),
    test: ids.slice(25).map((_, i) => ({ hash: hash(25 + i), label: i % 2 })),
  };
  const frozen = freezeImageList(m);
  const manifestId = storeManifest(db, frozen.digest, JSON.stringify(frozen), 0).id;
  const runId = insertRun(db, {
    name: 'r',
    config: JSON.stringify(config()),
    seed: 1,
    backboneId: 'nsfwjs_mobilenet_v2',
    classes: m.classes,
    manifestId,
    trainCount: m.train.length,
    valCount: m.val.length,
    testCount: m.test.length,
    inputSize: 96,
    phase1Epochs: 12,
    phase2Epochs: null,
    groupId: null,
    fold: null,
    createdAt: 0,
    message: null,
    pid: 1,
  });
  return { db, ids, m, runId };
}

test('migration 0008 stores findings per run, replaced on each write, with counts by severity', () => {
  const { db, runId } = project();
  assert.equal(getFindings(db, runId), null);
  const f = {
    id: 'x',
    severity: 'warning' as const,
    title: 't',
    evidence: { text: 'e', epochs: [], figures: { a: 1 } },
    action: 'do',
  };
  setFindings(db, runId, [f, { ...f, severity: 'problem' }], false, 5);
  setFindings(db, runId, [f], true, 6);
  assert.deepEqual(getFindings(db, runId), { findings: [f], final: true, updatedAt: 6 });
  assert.deepEqual(findingCounts(db).get(runId), { info: 0, warning: 1, problem: 0 });
  assert.throws(() => db.prepare('UPDATE run_findings SET final = 2').run(), /CHECK/);
});

test('live findings follow the stored epochs; final ones add image statistics and leakage', async () => {
  const { db, ids, runId } = project(12);
  for (const m of history(1, [{ trainLoss: 1.1, trainAcc: 0.4, valLoss: 1.1, valAcc: 0.4 }])) upsertEpoch(db, runId, m);
  const doctor = new TrainingDoctor(db, {
    clock: () => 9,
    clusters: async () => [
      [ids[0]!, ids[21]!],
      [ids[1]!, ids[2]!],
    ],
  });
  const live = doctor.live(runId);
  assert.ok(!live.some((f) => f.id === 'underfitting'), 'underfitting waits for the end');
  assert.equal(getFindings(db, runId)?.final, false);
  const final = await doctor.final(runId);
  const byId = new Map(final.map((f) => [f.id, f]));
  assert.equal(byId.get('underfitting')?.severity, 'problem');
  assert.deepEqual(
    byId.get('leakage')?.evidence.figures,
    { clusters: 1, images: 2 },
    'train+val straddles, train+train does not',
  );
  assert.equal(byId.get('input/extremes')?.evidence.figures.nearlyBlack, 12);
  assert.equal(byId.get('input/transparency')?.evidence.figures.transparent, 1);
  assert.equal(byId.get('noise-floor')?.evidence.figures.valImages, 5);
  const detail = detailOf(db, getRunRow(db, runId)!);
  assert.equal(detail.doctor?.final, true);
  assert.deepEqual(
    detail.doctor?.findings.map((f) => f.id),
    final.map((f) => f.id),
  );
});

test("leakage counts only clusters crossing this run's splits", () => {
  const { db, ids, m } = project();
  assert.deepEqual(runLeakage(db, m, [[ids[0]!, ids[1]!]]), { clusters: 0, images: 0 });
  assert.deepEqual(runLeakage(db, m, [[ids[0]!, ids[22]!, ids[27]!]]), { clusters: 1, images: 3 });
});

test("the engine's input check stored with the run's result reaches the preprocessing rule", async () => {
  const { db, runId } = project();
  for (const m of history(1, [{ trainLoss: 0.3, trainAcc: 0.9, valLoss: 0.3, valAcc: 0.9 }])) upsertEpoch(db, runId, m);
  const result = {
    backend: { name: 'wasm', rejected: [], versions: {} },
    backboneHash: 'h',
    featureShape: [2, 2, 256],
    phases: [],
    test: null,
    checkpoint: '/x',
    wallMs: 1,
    inputCheck: {
      images: 16,
      used: 'unit',
      pixels: { mean: [0.45, 0.43, 0.4], std: [0.2, 0.2, 0.2], min: [0, 0, 0], max: [1, 1, 1] },
      probe: { layer: 'bn_conv1', distance: { unit: 6.1, symmetric: 5.2, caffe: 0.3, torch: 4.4, raw: 1.7 } },
    },
  };
  db.prepare('UPDATE runs SET result = ? WHERE id = ?').run(JSON.stringify(result), runId);
  const f = (await new TrainingDoctor(db).final(runId)).find((x) => x.id === 'input/preprocessing');
  assert.equal(f?.severity, 'warning');
  assert.match(f!.title, /expect caffe-style input .*, the run gave 0\.\.1 pixels/);
});

test('after an epoch the doctor reads split sizes from the run row and leaves the manifest unread', () => {
  const { db, runId } = project();
  for (const m of history(1, [{ trainLoss: 1.1, trainAcc: 0.4, valLoss: 1.1, valAcc: 0.4 }])) upsertEpoch(db, runId, m);
  // A manifest that no longer matches its digest fails whoever thaws it: the live doctor must not.
  db.prepare("UPDATE manifests SET body = '{}'").run();
  const live = new TrainingDoctor(db, { clock: () => 1 }).live(runId);
  assert.equal(live.find((f) => f.id === 'noise-floor')?.evidence.figures.valImages, 5);
  assert.equal(getFindings(db, runId)?.final, false);
});
