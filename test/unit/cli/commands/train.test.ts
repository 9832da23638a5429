// `studio train` and the launcher's form start from the same run (RUN_DEFAULTS).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUN_DEFAULTS } from '../../../../src-shared/engine-config';
import type { BackboneInfo } from '../../../../src-shared/backbones';
import { configFrom } from '../../../../src-main/cli/commands/train';
import { defaultForm, formFields } from '../../../../src-renderer/lib/run-form';

const backbone = { id: 'mobilenet_v2', inputSize: 224 } as unknown as BackboneInfo;

test('with no flags the CLI trains the config the launcher form starts with', () => {
  const { inputSize: _size, ...fromForm } = defaultForm(backbone).input.config;
  assert.deepEqual(configFrom({}, 'mobilenet_v2'), fromForm);
  assert.equal(fromForm.phase1.epochs, RUN_DEFAULTS.run.phase1.epochs);
});

test('--unfreeze switches on the default phase 2 and --epochs sets both phases', () => {
  const c = configFrom({ unfreeze: 3, epochs: 4 }, 'mobilenet_v2');
  assert.deepEqual(c.phase2, { ...RUN_DEFAULTS.phase2, unfreezeBlocks: 3, epochs: 4 });
  assert.equal(c.phase1.epochs, 4);
  const form = defaultForm(backbone);
  formFields(form).phase2On = true;
  assert.deepEqual(form.input.config.phase2, RUN_DEFAULTS.phase2);
});

test('a --config file is taken instead of the defaults, as written: the contract parses it, not the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'train-config-'));
  try {
    const file = join(dir, 'run.json');
    const written = { backboneId: 'x', phase1: { epochs: 0, optimizer: { kind: 'sgd', lr: 0.1 } } };
    writeFileSync(file, JSON.stringify(written));
    assert.deepEqual(configFrom({ config: file, seed: 9 }, 'mobilenet_v2'), { ...written, seed: 9 });
    writeFileSync(file, '[1, 2]');
    assert.throws(
      () => configFrom({ config: file }, 'mobilenet_v2'),
      (err: Error) => err.message.includes(file) && err.message.includes('no JSON object'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shared defaults cannot be changed by one caller', () => {
  assert.throws(() => (RUN_DEFAULTS.run.head.layers as unknown[]).push({ kind: 'batchnorm' }));
  const form = defaultForm(backbone);
  form.input.config.head.layers.push({ kind: 'batchnorm' });
  assert.equal(RUN_DEFAULTS.run.head.layers.length, 1);
});
