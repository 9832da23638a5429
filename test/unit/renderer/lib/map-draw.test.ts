import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxPolygon, drawPoints, fitView, packed, pointAt, pointsInLasso } from '../../../../src-renderer/lib/map-draw';

// Three points: two left, one right, in a 100 x 100 canvas.
const xy = Float32Array.of(-1, 0, -1, 0.5, 1, 0);

describe('map drawing', () => {
  const view = fitView(xy, 100, 100);

  it('frames every point, centred', () => {
    assert.equal(view.cx, 0);
    assert.equal(view.cy, 0.25);
    assert.equal(view.scale, 45);
  });

  it('lassos the points inside the polygon and none outside', () => {
    const left: Array<[number, number]> = [
      [0, 0],
      [40, 0],
      [40, 100],
      [0, 100],
    ];
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, left), [0, 1]);
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, left.slice(0, 2)), []);
  });

  it('a box dragged either way takes the points inside it, through the lasso path', () => {
    // World (-1, 0) is at screen (5, 39) and (-1, 0.5) at (5, 61); (1, 0) at (95, 39).
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, boxPolygon(0, 30, 20, 45)), [0]);
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, boxPolygon(20, 70, 0, 30)), [0, 1], 'dragged up and left');
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, boxPolygon(0, 0, 100, 100)), [0, 1, 2]);
    assert.deepEqual(pointsInLasso(xy, view, 100, 100, boxPolygon(40, 0, 60, 100)), []);
  });

  it('finds the point under the pointer within its radius', () => {
    // World (1, 0) is at screen (50 + 45, 50 - 0.25 * 45).
    assert.equal(pointAt(xy, view, 100, 100, 95, 39), 2);
    assert.equal(pointAt(xy, view, 100, 100, 50, 50), -1);
  });

  it('writes each point in its colour and dims the unselected', () => {
    const pixels = new Uint32Array(100 * 100);
    const red = packed('#ff0000');
    const colours = Uint32Array.of(red, red, red);
    drawPoints({ pixels, width: 100, height: 100 }, xy, colours, null, view);
    // World (-1, 0) lands on pixel (5, 39), world (-1, 0.5) on (5, 61).
    assert.equal(pixels[39 * 100 + 5], red);
    assert.equal(pixels[50 * 100 + 50], 0, 'between points the canvas shows through');
    drawPoints({ pixels, width: 100, height: 100 }, xy, colours, Uint8Array.of(1, 0, 0), view);
    assert.equal(pixels[39 * 100 + 5], red, 'the selected point keeps its colour');
    assert.equal(pixels[61 * 100 + 5]! >>> 24, 110, 'an unselected one is faded');
  });
});
