import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputStats } from '../../../../src-shared/training-doctor/input-stats';
import { input } from './history';

test('mostly black inputs fire, with counts', () => {
  const found = inputStats(
    input({
      inputs: {
        images: 100,
        nearlyBlack: 70,
        nearlyWhite: 5,
      },
    }),
  );
  const ex = found.find((f) => f.id === 'input/extremes');
  assert.equal(ex?.severity, 'problem');
  assert.equal(ex!.evidence.figures.share, 0.75);
});

test('transparent images are counted; unknown transparency is noted; ordinary inputs say nothing', () => {
  const [t] = inputStats(input({ inputs: { images: 50, transparent: 3 } }));
  assert.equal(t?.id, 'input/transparency');
  assert.equal(t!.evidence.figures.transparent, 3);
  const [u] = inputStats(input({ inputs: { images: 50, transparent: null } }));
  assert.equal(u?.id, 'input/transparency-unknown');
  assert.deepEqual(
    inputStats(
      input({
        inputs: {
          images: 100,
          nearlyBlack: 2,
          nearlyWhite: 1,
          transparent: 0,
        },
      }),
    ),
    [],
  );
  assert.deepEqual(inputStats(input()), []);
});
