// A fast subset of the doctor's scenario corpus (bench/doctor): real runs of the Keras
// MobileNet 0.25 fixture at 64 px, at a third of the bench's image counts at most. The
// issue's head (Dropout 0.2 + Dense 64) gets no problem and no BatchNorm advice; phase 2's
// 'train' BatchNorm policy at batch 4 does; two epochs are underfitting and nothing
// contradicts it; caffe input into a [-1, 1] backbone is found by the engine's input check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../../src-node-shared/backend';
import { importWeightsFile } from '../../../src-node-shared/backbones/model-cache';
import { diagnose } from '../../../src-shared/training-doctor';
import type { Finding } from '../../../src-shared/training-doctor';
import { KERAS_FILE, KERAS_FIXTURE, runScenario, scenarios } from '../../../bench/doctor/corpus';
import type { CorpusEnv } from '../../../bench/doctor/corpus';
import { brokenPromises } from '../../../bench/doctor/score';

const root = mkdtempSync(join(tmpdir(), 'fs-doctor-scenarios-'));
let env: CorpusEnv;

before(async () => {
  const b = await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  env = {
    root,
    modelCache: join(root, 'models'),
    backend: { name: b.name, rejected: b.rejected, versions: b.versions },
  };
  await importWeightsFile(KERAS_FIXTURE, KERAS_FILE, env.modelCache);
});
after(() => rmSync(root, { recursive: true, force: true }));

async function findings(id: string): Promise<Finding[]> {
  const s = scenarios.find((x) => x.id === id)!;
  const scenario = {
    ...s,
    counts: { train: Math.min(80, s.counts.train), val: Math.min(40, s.counts.val), test: Math.min(40, s.counts.test) },
  };
  const out = diagnose(await runScenario(scenario, env));
  assert.deepEqual(
    brokenPromises([{ scenario, findings: out, seconds: 0 }]),
    [],
    out.map((f) => `${f.severity} ${f.id}: ${f.title}`).join('\n'),
  );
  return out;
}

test("the issue's Dropout 0.2 + Dense 64 head: no problem, and no advice about BatchNorm or a hidden layer it has", async () => {
  const found = await findings('healthy-dense-dropout');
  assert.ok(!found.some((f) => f.severity === 'problem'));
  for (const f of found) {
    assert.doesNotMatch(f.action, /BatchNorm/, f.id);
    assert.doesNotMatch(f.action, /hidden dense layer/, f.id);
  }
  const parity = found.find((f) => f.id.startsWith('batchnorm-parity'));
  assert.ok(!parity || parity.severity === 'info', 'a dropout gap is at most a note');
  assert.ok(!found.some((f) => f.id === 'input/preprocessing'), 'its own preprocessing is not flagged');
});

test("a [-1, 1] MobileNet given caffe input: the engine's input check records it and the doctor names what the weights expect", async () => {
  const f = (await findings('wrong-preprocessing')).find((x) => x.id === 'input/preprocessing');
  assert.equal(f?.severity, 'problem');
  assert.match(
    f.title,
    /mobilenet_0\.25's weights expect -1\.\.1 pixels \(pixel \/ 127\.5 - 1\)( or [^,]+)?, the run gave caffe-style input/,
  );
  assert.match(f.evidence.text, /first 16 training images/);
  assert.ok(f.evidence.figures.distanceUsed! > 10 * f.evidence.figures.distanceNearest!);
});

test("phase 2 training its BatchNorm ('train' policy) at batch 4 on 48 images: the parity rule names the policy", async () => {
  const parity = (await findings('bn-train-small')).find((f) => f.id === 'batchnorm-parity/p2');
  assert.ok(parity && parity.severity !== 'info', 'planted and found');
  assert.match(parity.action, /Set phase 2's BatchNorm policy to 'frozen'/);
});

test('two epochs: underfitting on phase 1, in 1-based epochs, and no overfitting beside it', async () => {
  const found = await findings('few-epochs');
  const under = found.find((f) => f.id === 'underfitting');
  assert.match(under?.title ?? '', /phase 1 ended at epoch 2 /);
  assert.ok(!found.some((f) => f.id === 'overfitting'));
});
