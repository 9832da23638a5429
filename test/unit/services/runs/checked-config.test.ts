// The config is checked where it enters the run service: what cannot train is refused there,
// with the field named, before a run is stored or queued.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_DEFAULTS, RunConfig } from '../../../../src-shared/engine-config';
import { checkedConfig } from '../../../../src-main/services/runs/run-start';

const config = (labelType: 'single' | 'multi') =>
  RunConfig.parse({ ...RUN_DEFAULTS.run, backboneId: 'mobilenet_v2', labelType });

test('labelType "multi" is refused with a clear message until it is built', () => {
  assert.throws(() => checkedConfig(config('multi')), {
    code: 'invalid-input',
    message: /^config\.labelType: "multi" \(several labels per image\) is not supported yet; use "single"/,
  });
});

test('labelType "single" passes, with the input size made explicit', () => {
  const out = checkedConfig(config('single'));
  assert.equal(out.labelType, 'single');
  assert.equal(typeof out.inputSize, 'number');
});
