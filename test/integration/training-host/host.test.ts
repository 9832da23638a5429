import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startTraining } from '../../../src-main/training-host/host';
import type { StartRun } from '../../../src-main/training-host/host';
import type { FromEngine, RunImage } from '../../../src-shared/engine-protocol';

const root = mkdtempSync(join(tmpdir(), 'fs-process-'));
const images: RunImage[] = [];

// Class 0: dark images with a light stripe; class 1: light images with a dark stripe.
async function writeImage(i: number, label: number): Promise<RunImage> {
  const w = 48;
  const px = Buffer.alloc(w * w * 3);
  for (let k = 0; k < w * w; k++) {
    const stripe = Math.floor(k / w) % 12 < 4 + (i % 3);
    const v = (label === 0) !== stripe ? 30 + i : 220 - i;
    px.set([v, v, (v + 40 * label) % 256], k * 3);
  }
  const path = join(root, `img-${i}.png`);
  await sharp(px, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toFile(path);
  return { hash: `h${i}`, path, label };
}

before(async () => {
  for (let i = 0; i < 24; i++) images.push(await writeImage(i, i % 2));
});

function run(over: Partial<StartRun['config']>, id: string): StartRun {
  return {
    runId: id,
    backend: 'wasm',
    config: {
      backboneId: 'nsfwjs_mobilenet_v2',
      inputSize: 96,
      phase1: { epochs: 3, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } },
      ...over,
    },
    data: { classes: ['dark', 'light'], train: images.slice(0, 12), val: images.slice(12, 18), test: images.slice(18) },
    dirs: {
      featureCache: join(root, 'cache', 'features'),
      modelCache: join(root, 'cache', 'models'),
      run: join(root, 'runs', id),
    },
  };
}

test('a run in its own process reports backend, features, epochs and a result', async () => {
  const events: FromEngine[] = [];
  const handle = startTraining(
    run({ phase2: { epochs: 1, batchSize: 8, optimizer: { kind: 'adam', lr: 1e-4 }, unfreezeBlocks: 1 } }, 'r1'),
    { onEvent: (e) => events.push(e) },
  );
  const out = await handle.outcome;
  assert.equal(out.kind, 'done', JSON.stringify(out));
  if (out.kind !== 'done') return;
  assert.equal(events[0]!.type, 'ready');
  const epochs = events.filter((e) => e.type === 'epoch');
  assert.equal(epochs.length, 4, 'three phase-1 epochs and one phase-2 epoch');
  assert.ok(events.some((e) => e.type === 'features' && e.split === 'test'));
  assert.ok(events.some((e) => e.type === 'batch'));
  assert.equal(out.result.backend.name, 'wasm');
  assert.deepEqual(
    out.result.phases.map((p) => p.phase),
    [1, 2],
  );
  // BatchNorm parity for the doctor: what training reported for the kept weights, and the training split in inference mode.
  const reportedAtEnd = [epochs[2]!, epochs[3]!].map((e) => (e.type === 'epoch' ? e.metrics.trainAcc : NaN));
  assert.deepEqual(
    out.result.phases.map((p) => p.trainAccReported),
    reportedAtEnd,
  );
  for (const p of out.result.phases)
    assert.ok(
      p.trainAccInference! >= 0 &&
        p.trainAccInference! <= 1 &&
        Number.isInteger(Math.round(p.trainAccInference! * 12 * 1e6) / 1e6),
      `accuracy over the 12 training images: ${p.trainAccInference}`,
    );
  assert.deepEqual(out.result.inference?.split?.runtime, 'onnxruntime-cpu');
  assert.ok(out.result.test !== null && out.result.test.confusion.flat().reduce((a, b) => a + b, 0) === 6);
  assert.ok(existsSync(join(out.result.checkpoint, 'weights.bin')));
  assert.ok(existsSync(join(root, 'runs', 'r1', 'phase1-best', 'weights.json')));
});

test('cancel stops the run: a message first, then the process ends', async () => {
  let handle: ReturnType<typeof startTraining> | null = null;
  let cancelled: Promise<unknown> | null = null;
  handle = startTraining(run({ phase1: { epochs: 500, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } } }, 'r2'), {
    onEvent: (e) => {
      if (e.type === 'epoch' && !cancelled) cancelled = handle!.cancel(10_000);
    },
  });
  const out = await handle.outcome;
  assert.equal(out.kind, 'cancelled');
  assert.ok(cancelled !== null);
});

test('a failing run reports why', async () => {
  const bad = run({ backboneId: 'resnet_nope' }, 'r3');
  const out = await startTraining(bad).outcome;
  assert.equal(out.kind, 'failed');
  assert.match(out.kind === 'failed' ? out.message : '', /backbone "resnet_nope" is not in the registry/);
});

test('the training process checks the job at its door: the host sends it unparsed, the engine names the bad field', async () => {
  const bad = run({ phase1: { epochs: 0, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } } }, 'r4');
  const out = await startTraining(bad).outcome;
  assert.equal(out.kind, 'failed');
  assert.match(out.kind === 'failed' ? out.message : '', /bad message: field "config\.phase1\.epochs"/);
  assert.equal(existsSync(join(root, 'runs', 'r4')), false, 'nothing ran');
});
