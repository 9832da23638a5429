import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_DEFAULTS } from '../../../../src-shared/engine-config';
import type { BackboneInfo } from '../../../../src-shared/backbones';
import { StartRunInput } from '../../../../src-shared/runs';
import {
  defaultForm,
  featureShapeOf,
  formFields,
  newLayer,
  withOptimizerKind,
} from '../../../../src-renderer/lib/run-form';

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

/** What the contract's door makes of what the form would send. */
const doorOf = (input: unknown) => StartRunInput.parse(input);

test('the form starts as RUN_DEFAULTS on the backbone at its own size, and the door takes it unchanged', () => {
  const form = defaultForm(mobilenet);
  const { backboneId, inputSize, ...rest } = form.input.config;
  assert.deepEqual(rest, RUN_DEFAULTS.run, 'nothing but the shared run defaults');
  assert.equal(backboneId, 'mobilenet_v2');
  assert.equal(inputSize, 224);
  assert.deepEqual(doorOf(form.input), form.input, 'the door adds no default the form lacks');
  assert.equal(form.input.name, undefined);
  assert.equal(form.input.folds, undefined);
});

test('without a backbone the form holds no input size of its own', () => {
  assert.equal(defaultForm(undefined).input.config.inputSize, undefined);
  assert.equal(defaultForm(undefined).input.config.backboneId, '');
});

test('phase 2 switched on is RUN_DEFAULTS.phase2 with the shared fields; switched off and on again it keeps its edits', () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.batchSize = 16;
  fields.phase2On = true;
  assert.deepEqual(form.input.config.phase2, { ...RUN_DEFAULTS.phase2, batchSize: 16 });
  form.input.config.phase2!.unfreezeBlocks = 1;
  const phase2 = () => form.input.config.phase2;
  fields.phase2On = false;
  assert.equal(phase2(), null);
  fields.phase2On = true;
  assert.equal(phase2()?.unfreezeBlocks, 1);
  assert.equal(doorOf(form.input).config.phase2?.batchNorm, 'frozen');
});

test('one schedule for both phases, with each kind settings from RUN_DEFAULTS.schedules and the warm-up kept', () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.phase2On = true;
  fields.warmupEpochs = 2;
  fields.schedule = 'step';
  const expected = { ...RUN_DEFAULTS.schedules.step, warmupEpochs: 2 };
  assert.deepEqual(form.input.config.phase1.schedule, expected);
  assert.deepEqual(form.input.config.phase2?.schedule, expected);
  fields.schedule = 'cosine';
  assert.deepEqual(form.input.config.phase1.schedule, { kind: 'cosine', minFactor: 0, warmupEpochs: 2 });
  doorOf(form.input);
});

test('early stopping off is null in both phases; on again it comes back with its edits', () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.phase2On = true;
  fields.patience = 9;
  fields.earlyStopping = false;
  assert.equal(form.input.config.phase1.earlyStopping, null);
  assert.equal(form.input.config.phase2?.earlyStopping, null);
  assert.equal(fields.patience, 9, 'the page still shows the parked patience');
  fields.earlyStopping = true;
  assert.deepEqual(form.input.config.phase1.earlyStopping, { ...RUN_DEFAULTS.run.phase1.earlyStopping, patience: 9 });
  assert.deepEqual(form.input.config.phase2?.earlyStopping, form.input.config.phase1.earlyStopping);
});

test('augmentation, k-fold and the name are in the input only while switched on or typed', () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.augmentOn = true;
  assert.deepEqual(form.input.config.augment, RUN_DEFAULTS.augment);
  fields.kfold = true;
  assert.equal(form.input.folds, RUN_DEFAULTS.folds);
  fields.folds = 3;
  fields.kfold = false;
  assert.equal(form.input.folds, undefined);
  fields.kfold = true;
  assert.equal(form.input.folds, 3);
  fields.name = '  ';
  assert.equal(form.input.name, undefined, 'blank is no name');
  fields.name = ' ours ';
  assert.equal(doorOf(form.input).name, 'ours');
});

test("the launcher's percent fields are the config's target fractions; empty fields are no bound", () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.targetValAbove = 85;
  fields.targetTrainBelow = 92;
  assert.deepEqual(form.input.config.target, { valAbove: 0.85, trainBelow: 0.92 });
  fields.targetTrainBelow = null;
  assert.deepEqual(form.input.config.target, { valAbove: 0.85 });
  fields.targetValAbove = 7;
  assert.equal(fields.targetValAbove, 7);
  fields.targetValAbove = null;
  assert.equal('target' in form.input.config, false);
});

test("an optimizer of another kind takes that kind's defaults and keeps the rate", () => {
  const form = defaultForm(mobilenet);
  const p1 = form.input.config.phase1;
  p1.optimizer.lr = 0.02;
  withOptimizerKind(p1, 'sgd');
  assert.deepEqual(p1.optimizer, { ...RUN_DEFAULTS.optimizers.sgd, lr: 0.02 });
  doorOf(form.input);
  withOptimizerKind(p1, 'adam');
  assert.deepEqual(p1.optimizer, { ...RUN_DEFAULTS.optimizers.adam, lr: 0.02 });
});

test('new head layers are plain layers the door accepts', () => {
  const form = defaultForm(mobilenet);
  form.input.config.head.layers.push(newLayer('dense'), newLayer('batchnorm'));
  assert.equal(doorOf(form.input).config.head.layers.length, 3);
});

test('the feature map follows the input size', () => {
  assert.deepEqual(featureShapeOf(mobilenet, 96), [3, 3, 1280]);
  assert.deepEqual(featureShapeOf(mobilenet, 123), [7, 7, 1280]);
  assert.equal(featureShapeOf(undefined, 96), null);
});

test('switching sections works on state proxies, as the page holds them (structuredClone refuses a proxy)', () => {
  const form = defaultForm(mobilenet);
  const fields = formFields(form);
  fields.phase2On = true;
  form.input.config.phase2 = new Proxy(form.input.config.phase2!, {});
  form.input.config.phase1.earlyStopping = new Proxy(form.input.config.phase1.earlyStopping!, {});
  fields.phase2On = false;
  fields.earlyStopping = false;
  fields.phase2On = true;
  fields.earlyStopping = true;
  assert.deepEqual(form.input.config.phase2, { ...RUN_DEFAULTS.phase2 });
});
