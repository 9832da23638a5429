import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { movedBy, shiftedIndex, withoutIndices, type Page } from '../../../../src-renderer/lib/grid-pages';

/** Pages of 4 holding the numbers 0..total-1, with only `loaded` pages present. */
function pages(total: number, loaded: number[]): Map<number, Page<number>> {
  return new Map(loaded.map((p) => [p, Array.from({ length: Math.min(4, total - p * 4) }, (_, k) => p * 4 + k)]));
}

describe('grid pages when images leave the view', () => {
  it('closes the gap, pulling images up across page ends', () => {
    const next = withoutIndices(pages(10, [0, 1, 2]), 4, 10, [1, 5]);
    assert.deepEqual(
      [...next.entries()],
      [
        [0, [0, 2, 3, 4]],
        [1, [6, 7, 8, 9]],
      ],
    );
  });

  it('leaves a hole where the image to pull up is not loaded', () => {
    const next = withoutIndices(pages(12, [0]), 4, 12, [2]);
    assert.deepEqual(next.get(0), [0, 1, 3, undefined]);
  });

  it('leaves pages before the removal as they were', () => {
    const next = withoutIndices(pages(12, [0, 2]), 4, 12, [9]);
    assert.deepEqual(next.get(0), [0, 1, 2, 3]);
    assert.deepEqual(next.get(2), [8, 10, 11]);
  });

  it('keeps the cursor on the image that moves into place, or the last one', () => {
    assert.equal(shiftedIndex(3, [3], 9), 3, 'the next image moved under the cursor');
    assert.equal(shiftedIndex(5, [1, 2], 8), 3, 'images before it left');
    assert.equal(shiftedIndex(9, [9], 9), 8, 'the last image left: the new last one');
    assert.equal(shiftedIndex(0, [0], 0), -1, 'nothing left');
    assert.equal(shiftedIndex(-1, [0], 5), -1, 'no cursor stays no cursor');
  });

  it('says how far each image moved', () => {
    assert.deepEqual(
      [...movedBy([0, 1, 2, 3, 4, 5], [1, 3])],
      [
        [1, 1],
        [2, 2],
        [3, 2],
        [4, 2],
        [5, 2],
      ],
    );
  });
});
