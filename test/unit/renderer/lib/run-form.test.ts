import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_DEFAULTS, RunConfig } from '../../../../src-shared/engine-config';
import type { BackboneInfo } from '../../../../src-shared/backbones';
import { configFromForm, defaultForm, featureShapeOf, newLayer } from '../../../../src-renderer/lib/run-form';

const mobilenet = {
  id: 'mobilenet_v2',
  name: 'MobileNetV2',
  inputSize: 224,
  allowedInputSizes: [96, 224],
  featureShape: [7, 7, 1280],
  featureShapes: [
    { inputSize: 96, shape: [3, 3, 1280] },
    { inputSize: 224, shape: [7, 7, 1280] },
  ],
  blocks: ['a', 'b', 'c'],
} as unknown as BackboneInfo;

test('the default form is the good practice and parses as a RunConfig', () => {
  const config = RunConfig.parse(configFromForm(defaultForm(mobilenet)));
  assert.equal(config.head.pooling, 'avg');
  assert.ok(
    config.head.layers.every((l) => l.kind !== 'dense'),
    'a small head: no hidden dense layer',
  );
  assert.deepEqual(config.phase1.earlyStopping, { monitor: 'valLoss', patience: 5, minDelta: 0, restoreBest: true });
  assert.equal(config.phase2, null);
  assert.equal(config.augment, null);
  assert.equal(config.inputSize, 224);
  const { inputSize: _size, backboneId: _id, ...rest } = config;
  assert.deepEqual(rest, RUN_DEFAULTS.run, 'the form starts from the shared run defaults');
});

test('phase 2 defaults to frozen BatchNorm, and editor keys never reach the config', () => {
  const form = defaultForm(mobilenet);
  form.phase2On = true;
  form.head.layers.push(newLayer('dense'));
  const config = RunConfig.parse(configFromForm(form));
  assert.equal(config.phase2?.batchNorm, 'frozen');
  assert.equal(config.phase2?.unfreezeBlocks, 2);
  assert.ok(config.head.layers.every((l) => !('key' in l)));
});

test('the feature map follows the input size', () => {
  assert.deepEqual(featureShapeOf(mobilenet, 96), [3, 3, 1280]);
  assert.deepEqual(featureShapeOf(mobilenet, 123), [7, 7, 1280]);
  assert.equal(featureShapeOf(undefined, 96), null);
});
