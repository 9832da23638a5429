// A bake-off runs the launcher's plan: its input size where a backbone takes it, the
// nearest it offers where not; and its run names differ where a column cuts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bakeoffRunName, fitInputSize } from '../../../src-shared/bakeoff';

test('the plan size where the backbone takes it, else the nearest size it offers', () => {
  const listed = { allowedInputSizes: [96, 128, 160, 192, 224], minInputSize: null };
  assert.equal(fitInputSize(128, listed), 128);
  assert.equal(fitInputSize(150, listed), 160, 'ties go up');
  assert.equal(fitInputSize(299, listed), 224);
  // InceptionV3 offers 299 and takes anything from 75 up: a 128 px plan stays at 128.
  const open = { allowedInputSizes: [299], minInputSize: 75 };
  assert.equal(fitInputSize(128, open), 128);
  assert.equal(fitInputSize(32, open), 75);
  assert.equal(fitInputSize(128, { allowedInputSizes: [224], minInputSize: null }), 224);
});

test('run names start with the backbone and size, so two of one bake-off differ in their first characters', () => {
  const long = 'Bake-off: a long name the person typed for this comparison of backbones';
  const a = bakeoffRunName('mobilenet_v2_1.0', 128, long);
  const b = bakeoffRunName('inception_v3', 128, long);
  assert.equal(a, `mobilenet_v2_1.0 128px · ${long}`);
  assert.notEqual(a.slice(0, 12), b.slice(0, 12));
  assert.equal(bakeoffRunName('x', 1, 'n'.repeat(300)).length, 200);
});
