import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadSpec, headSize } from '../../../src-shared/head-spec';
import { formatBytes } from '../../../src-shared/format';
import type { HeadSpecInput } from '../../../src-shared/head-spec';
import { buildHead } from '../../../src-training/head';
import { selectBackend } from '../../../src-node-shared/backend';

const cases: Array<{ name: string; spec: HeadSpecInput; shape: [number, number, number]; classes: number }> = [
  { name: 'default avg pooling', spec: {}, shape: [7, 7, 1280], classes: 2 },
  {
    name: 'max + dense/dropout',
    spec: {
      pooling: 'max',
      layers: [
        { kind: 'dense', units: 128 },
        { kind: 'dropout', rate: 0.3 },
      ],
    },
    shape: [7, 7, 1280],
    classes: 5,
  },
  {
    name: 'batchnorm between dense',
    spec: {
      layers: [{ kind: 'dense', units: 64, activation: 'gelu' }, { kind: 'batchnorm' }, { kind: 'dense', units: 32 }],
    },
    shape: [8, 8, 2048],
    classes: 7,
  },
  {
    name: 'flatten small map',
    spec: { pooling: 'flatten', layers: [{ kind: 'batchnorm' }] },
    shape: [3, 3, 16],
    classes: 3,
  },
];

test('the spec counts exactly the parameters tfjs builds', async () => {
  await selectBackend({ prefer: 'cpu' });
  for (const c of cases) {
    const spec = HeadSpec.parse(c.spec);
    const head = buildHead(spec, c.shape, c.classes, 'single', { seed: 1 });
    const size = headSize(spec, c.shape, c.classes);
    assert.equal(size.params, head.full.countParams(), c.name);
    const trainable = head.full.trainableWeights.reduce(
      (n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1),
      0,
    );
    assert.equal(size.trainableParams, trainable, `${c.name}: trainable`);
    head.full.dispose();
  }
});

test("seed 000's Flatten head on ResNet50's 10x10x2048 map is a multi-GB file", async () => {
  await selectBackend({ prefer: 'cpu' });
  const spec = HeadSpec.parse({
    pooling: 'flatten',
    layers: [1024, 512, 256].flatMap((units) => [
      { kind: 'dense', units },
      { kind: 'dropout', rate: 0.5 },
    ]),
  });
  const size = headSize(spec, [10, 10, 2048], 2);
  const head = buildHead(spec, [10, 10, 2048], 2, 'single', { seed: 1, init: 'zeros' });
  assert.equal(size.params, head.full.countParams());
  head.full.dispose();
  assert.equal(size.params, 210_372_866);
  assert.ok(size.weightBytes > 800e6, formatBytes(size.weightBytes));
  assert.ok(size.weightBytesWithAdam > 2.5e9, formatBytes(size.weightBytesWithAdam));
  assert.match(size.warnings[0]!, /Flatten on a 10x10x2048/);
  // The same layers after global average pooling are 100x smaller.
  const pooled = headSize({ ...spec, pooling: 'avg' }, [10, 10, 2048], 2);
  assert.ok(pooled.params * 70 < size.params);
});

test('the spec rejects what cannot be built', () => {
  assert.throws(() => HeadSpec.parse({ pooling: 'sum' }));
  assert.throws(() => HeadSpec.parse({ layers: [{ kind: 'dense', units: 0 }] }));
  assert.throws(() => HeadSpec.parse({ layers: [{ kind: 'dropout', rate: 1 }] }));
  assert.equal(formatBytes(2_700_000_000), '2.7 GB');
});
