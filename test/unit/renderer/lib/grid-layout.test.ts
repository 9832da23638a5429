import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxFrom,
  gridLayout,
  indicesInBox,
  keyStep,
  PAD,
  ROW,
  slideFrom,
  TILE,
} from '../../../../src-renderer/lib/grid-layout';

describe('grid layout', () => {
  const layout = gridLayout(2 * PAD + 5 * ROW - (ROW - TILE), 23); // exactly 5 columns

  it('fits whole columns and centres them', () => {
    assert.equal(layout.columns, 5);
    assert.equal(layout.left, PAD);
    assert.equal(gridLayout(10, 3).columns, 1);
  });

  it('finds the cells a box touches, not those whose gap it touches', () => {
    // From inside cell 1 to inside cell 7 (row 1, column 2): a 2 x 2 block.
    const x0 = PAD + ROW + 10;
    const y0 = PAD + 10;
    const box = boxFrom(PAD + 2 * ROW + 5, PAD + ROW + 5, x0, y0);
    assert.deepEqual(indicesInBox(layout, box), [1, 2, 6, 7]);
    // A box inside the gap between two columns touches nothing.
    const gap = PAD + TILE + 2;
    assert.deepEqual(indicesInBox(layout, boxFrom(gap, PAD, gap + 3, PAD + 50)), []);
  });

  it('stops at the last image', () => {
    const all = indicesInBox(layout, boxFrom(0, 0, 10_000, 10_000));
    assert.equal(all.length, 23);
    assert.equal(all.at(-1), 22);
  });

  it('maps keys to cursor steps', () => {
    assert.equal(keyStep('ArrowDown', 5, 3, 100), 5);
    assert.equal(keyStep('PageUp', 5, 3, 100), -15);
    assert.equal(keyStep('End', 5, 3, 100), 100);
    assert.equal(keyStep('x', 5, 3, 100), null);
  });

  it('slides moved images along their row, or in from the right', () => {
    assert.deepEqual(slideFrom(6, 1, 5), { dx: ROW, dy: 0 });
    assert.deepEqual(slideFrom(6, 2, 5), { dx: 2 * ROW, dy: 0 });
    assert.deepEqual(slideFrom(9, 1, 5), { dx: ROW, dy: 0 }, 'came up from the next row');
  });
});
