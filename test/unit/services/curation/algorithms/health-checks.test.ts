// Dataset health checks: each finding names the images and says what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classBalance,
  colourMix,
  extremeAspect,
  healthReport,
  isGrayscalePixels,
  tinyImages,
  type ImageFacts,
} from '../../../../../src-main/services/curation/algorithms/health-checks';

test('class balance: ratio of largest to smallest, a warning from 3x, a problem from 10x', () => {
  const even = classBalance([
    { name: 'cat', count: 100 },
    { name: 'dog', count: 90 },
  ]);
  assert.equal(even.ratio!.toFixed(2), '1.11');
  assert.deepEqual(even.findings, []);
  const skewed = classBalance([
    { name: 'Pullover', count: 600 },
    { name: 'Bag', count: 50 },
    { name: 'Coat', count: 200 },
  ]);
  assert.equal(skewed.ratio, 12);
  assert.equal(skewed.findings[0].severity, 'problem');
  assert.match(
    skewed.findings[0].message,
    /^Pullover has 12\.0x as many images as Bag \(600 vs 50\)\. A model that always answers Pullover is already 71 % accurate/,
  );
  assert.equal(
    classBalance([
      { name: 'a', count: 40 },
      { name: 'b', count: 10 },
    ]).findings[0].severity,
    'warning',
  );
});

test('an empty class is a problem of its own and does not count towards the ratio', () => {
  const b = classBalance([
    { name: 'cat', count: 10 },
    { name: 'dog', count: 8 },
    { name: 'bird', count: 0 },
  ]);
  assert.equal(b.ratio, 1.25);
  assert.deepEqual(
    b.findings.map((f) => [f.kind, f.severity]),
    [['empty-class', 'problem']],
  );
  assert.match(b.findings[0].message, /No images in bird/);
  assert.equal(classBalance([{ name: 'only', count: 5 }]).ratio, null);
});

const images: ImageFacts[] = [
  { id: 1, width: 224, height: 224, label: 'cat', grayscale: false },
  { id: 2, width: 20, height: 300, label: 'cat', grayscale: false },
  { id: 3, width: 28, height: 28, label: 'dog', grayscale: true },
  { id: 4, width: 640, height: 480, label: 'dog', grayscale: true },
  { id: 5, width: 1000, height: 300, label: 'dog', grayscale: true },
  { id: 6, width: 500, height: 400, label: 'cat' },
];

test('tiny images: short side under the minimum', () => {
  assert.deepEqual(tinyImages(images)!.ids, [2, 3]);
  assert.deepEqual(tinyImages(images, 25)!.ids, [2]);
  assert.equal(tinyImages(images, 10), null);
});

test('extreme aspect ratios either way', () => {
  assert.deepEqual(extremeAspect(images)!.ids, [2, 5]);
  assert.deepEqual(extremeAspect(images, 4)!.ids, [2]);
});

test('grayscale mixed with colour; a mix that follows the classes is a problem', () => {
  const f = colourMix(images)!;
  assert.equal(f.severity, 'problem');
  assert.deepEqual(f.ids, [1, 2]); // the minority (colour) among the 5 known
  assert.match(
    f.message,
    /100 % of dog is grayscale against 0 % of cat, so a model can tell these classes apart by colour alone/,
  );
  const spread = images.map((i) => ({ ...i, grayscale: i.id === 1 || i.id === 3 }));
  assert.equal(colourMix(spread)!.severity, 'warning');
  assert.equal(colourMix(images.map((i) => ({ ...i, grayscale: false }))), null);
});

test('grayscale detection tolerates JPEG chroma noise but not real colour', () => {
  const grey = new Uint8Array(300 * 3);
  for (let p = 0; p < 300; p++) grey.set([100 + (p % 3), 100, 99 + (p % 2)], p * 3);
  assert.ok(isGrayscalePixels(grey, 3));
  const tinted = Uint8Array.from(grey);
  for (let p = 0; p < 30; p++) tinted.set([180, 90, 60], p * 3); // a red patch on 10 % of the pixels
  assert.ok(!isGrayscalePixels(tinted, 3));
  assert.ok(isGrayscalePixels(new Uint8Array(10), 1));
  const rgba = new Uint8Array([10, 10, 10, 255, 200, 200, 201, 0]);
  assert.ok(isGrayscalePixels(rgba, 4));
});

test('the report lists problems before warnings', () => {
  const kinds = healthReport(images).map((f) => [f.kind, f.severity]);
  assert.deepEqual(kinds, [
    ['mixed-colour', 'problem'],
    ['tiny-images', 'warning'],
    ['extreme-aspect', 'warning'],
  ]);
});
