import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preprocessing, rankedKinds } from '../../../../src-shared/training-doctor/preprocessing';
import type { InputCheck } from '../../../../src-shared/input-check';
import { config, input } from './history';

// Recorded by the engine in the corpus (bench/doctor, 2026-12-07), Keras MobileNet 0.25 at 64 px.
/** wrong-preprocessing: the [-1, 1] MobileNet given caffe input, on 16 Fashion-MNIST images. */
const caffeIntoSymmetric: InputCheck = {
  images: 16,
  used: 'caffe',
  pixels: {
    mean: [-40.05, -52.83, -59.78],
    std: [83.74, 83.73, 83.73],
    min: [-103.94, -116.78, -123.68],
    max: [151.06, 138.22, 131.32],
  },
  probe: { layer: 'conv1_bn', distance: { unit: 1.13, symmetric: 0.65, caffe: 37.7, torch: 1.95, raw: 3.32 } },
};
/** healthy-shapes: its own preprocessing; on these generated images 0..1 lands a little nearer. */
const shapes: InputCheck = {
  images: 16,
  used: 'symmetric',
  pixels: { mean: [-0.02, -0.05, 0.08], std: [0.44, 0.47, 0.43], min: [-1, -1, -0.95], max: [1, 1, 1] },
  probe: { layer: 'conv1_bn', distance: { unit: 0.38, symmetric: 0.59, caffe: 22.86, torch: 0.62, raw: 34.77 } },
};

test('a [-1, 1] backbone given caffe input: a problem naming what the weights expect and what they got', () => {
  const [f, ...rest] = preprocessing(
    input({ config: config({ backboneId: 'mobilenet_0.25' }), inputCheck: caffeIntoSymmetric }),
  );
  assert.equal(rest.length, 0);
  assert.equal(f?.id, 'input/preprocessing');
  assert.equal(f.severity, 'problem');
  assert.equal(
    f.title,
    "Wrong preprocessing: mobilenet_0.25's weights expect -1..1 pixels (pixel / 127.5 - 1) or 0..1 pixels (pixel / 255), the run gave caffe-style input (BGR, ImageNet mean subtracted, 0..255 scale)",
  );
  assert.match(f.evidence.text, /got values -123\.7\.\.151\.1, mean -40\.0, -52\.8, -59\.8 \(B, G, R\)/);
  assert.match(f.evidence.text, /conv1_bn/);
  // 0..1 lands within twice the nearest on these images: the probe cannot tell the two apart, so both are named.
  assert.match(
    f.evidence.text,
    /lies 37\.7 from them, with symmetric preprocessing 0\.7, with unit preprocessing 1\.1 /,
  );
  assert.doesNotMatch(f.title, /torch/, 'torch-style lands 3x farther than the nearest');
  assert.equal(f.evidence.figures.distanceUsed, 37.7);
  assert.match(f.action, /preprocessing is symmetric or unit;/);
});

test('a healthy run is silent even where another kind lands a little nearer than its own', () => {
  assert.equal(rankedKinds(shapes)[0]!.kind, 'unit');
  assert.deepEqual(preprocessing(input({ inputCheck: shapes })), []);
});

test('off, but no kind much nearer (an unusual dataset, not a wrong range): silent', () => {
  const odd: InputCheck = { ...shapes, probe: { layer: 'conv1_bn', distance: { symmetric: 4, unit: 2, torch: 3 } } };
  assert.deepEqual(preprocessing(input({ inputCheck: odd })), []);
  const far: InputCheck = { ...odd, probe: { layer: 'conv1_bn', distance: { symmetric: 4, unit: 1.2 } } };
  assert.equal(preprocessing(input({ inputCheck: far }))[0]?.severity, 'warning');
});

test('no record (older runs, a backbone without BatchNorm) says nothing', () => {
  assert.deepEqual(preprocessing(input({})), []);
  assert.deepEqual(preprocessing(input({ inputCheck: { ...shapes, probe: null } })), []);
});
