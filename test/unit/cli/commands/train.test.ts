// `studio train` and the launcher's form start from the same run (RUN_DEFAULTS).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUN_DEFAULTS, RunConfig } from '../../../../src-shared/engine-config';
import type { BackboneInfo } from '../../../../src-shared/backbones';
import { configFrom } from '../../../../src-main/cli/commands/train';
import { configFromForm, defaultForm } from '../../../../src-renderer/lib/run-form';

const backbone = { id: 'mobilenet_v2', inputSize: 224 } as unknown as BackboneInfo;

test('with no flags the CLI trains the config the launcher form starts with', () => {
  const form = RunConfig.parse(configFromForm(defaultForm(backbone)));
  const { inputSize: _size, ...fromForm } = form;
  assert.deepEqual(configFrom({}, 'mobilenet_v2'), fromForm);
  assert.equal(form.phase1.epochs, RUN_DEFAULTS.run.phase1.epochs);
});

test('--unfreeze switches on the default phase 2 and --epochs sets both phases', () => {
  const c = configFrom({ unfreeze: 3, epochs: 4 }, 'mobilenet_v2');
  assert.deepEqual(c.phase2, { ...RUN_DEFAULTS.phase2, unfreezeBlocks: 3, epochs: 4 });
  assert.equal(c.phase1.epochs, 4);
  const form = defaultForm(backbone);
  form.phase2On = true;
  assert.deepEqual(RunConfig.parse(configFromForm(form)).phase2, RUN_DEFAULTS.phase2);
});

test('a --config file is taken instead of the defaults; a bad field is named with the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'train-config-'));
  try {
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({ backboneId: 'x', phase1: { epochs: 3, optimizer: { kind: 'sgd', lr: 0.1 } } }),
    );
    const c = configFrom({ config: file, seed: 9 }, 'mobilenet_v2');
    assert.equal(c.backboneId, 'x');
    assert.equal(c.seed, 9);
    assert.deepEqual(
      c.head,
      RunConfig.parse({ backboneId: 'x', phase1: { epochs: 1, optimizer: { kind: 'adam', lr: 1 } } }).head,
    );
    writeFileSync(
      file,
      JSON.stringify({ backboneId: 'x', phase1: { epochs: 0, optimizer: { kind: 'sgd', lr: 0.1 } } }),
    );
    assert.throws(
      () => configFrom({ config: file }, 'mobilenet_v2'),
      (err: Error) => err.message.includes('"phase1.epochs"') && err.message.includes(file),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shared defaults cannot be changed by one caller', () => {
  assert.throws(() => (RUN_DEFAULTS.run.head.layers as unknown[]).push({ kind: 'batchnorm' }));
  const form = defaultForm(backbone);
  form.head.layers.push({ kind: 'batchnorm', key: -1 });
  assert.equal(RUN_DEFAULTS.run.head.layers.length, 1);
});
