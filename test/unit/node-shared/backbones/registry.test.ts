import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { featureShapeOf, findArch } from '../../../../src-node-shared/backbones/arch';
import { builtinBackbones, checkInputSize, findBackbone } from '../../../../src-node-shared/backbones/registry';
import type { BackboneEntry } from '../../../../src-node-shared/backbones/registry';
import { recommendedId } from '../../../../src-main/services/backbones/backbone-info';

// Importing the registry brings in the wasm package, first in tfjs' line; these tests only build.
before(() => tf.setBackend('cpu'));

const keras = builtinBackbones.filter((e) => e.source.kind === 'keras');

function build(e: BackboneEntry, inputSize: number): tf.LayersModel {
  const src = e.source as { kind: 'keras'; arch: string; alpha?: number };
  return findArch(src.arch).build({ inputSize, alpha: src.alpha });
}

test('every Keras entry lists the parameter count and feature map of the network it builds', () => {
  assert.ok(keras.length >= 18, `expected the Keras Applications with their alphas, got ${keras.length}`);
  for (const e of keras) {
    const model = build(e, e.inputSize);
    assert.equal(e.params, model.countParams(), `${e.id}: parameters`);
    assert.deepEqual(
      e.featureShapes?.[e.inputSize],
      (model.outputs[0]!.shape as number[]).slice(1),
      `${e.id}: feature map at ${e.inputSize}`,
    );
    assert.equal(model.outputs[0]!.name.split('/')[0], e.featureLayer, `${e.id}: feature layer`);
    model.dispose();
  }
});

test('the feature-map arithmetic matches the built networks at odd sizes, where rounding differs', () => {
  const cases: Array<[string, number, number?]> = [
    ['mobilenet', 100, 0.25],
    ['mobilenet', 97, 0.25],
    ['mobilenet_v2', 97, 0.35],
    ['mobilenet_v2', 100, 1.3],
    ['resnet50', 97],
    ['vgg16', 97],
    ['efficientnetb0', 97],
    ['xception', 97],
    ['inception_v3', 97],
  ];
  for (const [arch, size, alpha] of cases) {
    const model = findArch(arch).build({ inputSize: size, alpha });
    assert.deepEqual(
      featureShapeOf(arch, size, alpha),
      (model.outputs[0]!.shape as number[]).slice(1),
      `${arch} ${alpha ?? ''} at ${size}`,
    );
    model.dispose();
  }
});

test('Keras entries take any size from their minimum up; nsfwjs entries only the sizes listed', () => {
  assert.doesNotThrow(() => checkInputSize(findBackbone('resnet50'), 100));
  assert.throws(
    () => checkInputSize(findBackbone('xception'), 70),
    /input size 70 is not supported; use a whole number from 71 to 1024/,
  );
  assert.throws(() => checkInputSize(findBackbone('mobilenet_v2'), 2048), /from 32 to 1024/);
  assert.throws(() => checkInputSize(findBackbone('nsfwjs_mobilenet_v2'), 100), /use one of 96, 128, 160, 192, 224/);
  assert.equal(findBackbone('nsfwjs_mobilenet_v2').tuning, 'nsfw');
  assert.deepEqual(findBackbone('efficientnetb0').preprocessing, { kind: 'raw' });
  assert.deepEqual(findBackbone('resnet50').preprocessing, { kind: 'caffe' });
  assert.deepEqual(findBackbone('mobilenet_0.25').source, { kind: 'keras', arch: 'mobilenet', alpha: 0.25 });
});

test('the default backbone is the most accurate one whose ImageNet weights are present, nsfwjs only when none is', () => {
  assert.equal(
    recommendedId(builtinBackbones, () => false),
    'nsfwjs_mobilenet_v2',
  );
  assert.equal(
    recommendedId(builtinBackbones, (e) => e.id === 'mobilenet_0.25'),
    'mobilenet_0.25',
  );
  assert.equal(
    recommendedId(builtinBackbones, (e) => ['mobilenet_0.25', 'resnet50', 'mobilenet_v2'].includes(e.id)),
    'resnet50',
  );
  // Bundled nsfwjs weights are always present but never recommended over ImageNet ones.
  assert.equal(
    recommendedId(builtinBackbones, (e) => e.source.kind === 'nsfwjs' || e.id === 'vgg16'),
    'vgg16',
  );
});
