// The embedding map in the real UI on a small Fashion-MNIST project (trousers, bags and ankle
// boots, imported unlabeled): compute the map on a real backbone's features, lasso the
// trousers' cluster, label it with one key, see the labels in the grid, and undo.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { imagePixels, readIdx } from '../../scripts/fashion-mnist';
import { e2eSetup, importThroughApi } from './harness';

const PER_CLASS = 20;
const KINDS = { trouser: 1, bag: 8, boot: 9 } as const;

/** The convex hull (monotone chain) of screen points, counter-clockwise. */
function hull(points: Array<[number, number]>): Array<[number, number]> {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]) =>
    (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (list: Array<[number, number]>) => {
    const out: Array<[number, number]> = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out.at(-2)!, out.at(-1)!, q) <= 0) out.pop();
      out.push(q);
    }
    return out.slice(0, -1);
  };
  return [...half(p), ...half([...p].reverse())];
}

describe('embedding map: lasso a cluster and label it', () => {
  const truth = new Map<string, keyof typeof KINDS>();
  const s = e2eSetup({
    name: 'map',
    studio: { runs: { backend: 'wasm' }, map: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 } },
    data: async (tmp) => {
      const images = join(tmp, 'images');
      mkdirSync(images, { recursive: true });
      const set = readIdx('t10k');
      for (const [name, label] of Object.entries(KINDS) as Array<[keyof typeof KINDS, number]>) {
        const picks = [...set.labels.keys()].filter((i) => set.labels[i] === label).slice(0, PER_CLASS);
        for (const i of picks) {
          const file = join(images, `${name}-${i}.png`);
          await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
            .png()
            .toFile(file);
          truth.set(file, name);
        }
      }
    },
    prepare: async (e2e) => {
      await importThroughApi(e2e, join(e2e.tmp, 'images'));
      await e2e.h().classes.create({ name: 'trouser' });
    },
    ready: `[data-testid=total-count][data-total="${3 * PER_CLASS}"]`,
  });

  it('computes the map with progress and shows every image', async () => {
    await s.page.click('[data-testid=map-toggle]');
    await s.page.click('[data-testid=map-compute]');
    await s.page.waitForSelector('[data-testid=map-panel][data-status=computing]');
    await s.page.waitForSelector('[data-testid=map-panel][data-status=ready]', { timeout: 240_000 });
    await s.page.waitForSelector(`[data-testid=map-canvas][data-points="${3 * PER_CLASS}"][data-coloured=true]`);
    assert.match((await s.page.textContent('[data-testid=map-message]')) ?? '', /60 images on the map/);
  });

  it('lassos the trousers, labels them with one key, and undo takes it back', async () => {
    const state = await s.h().map.state({});
    const pts = await s.h().map.points({ version: state.version, offset: 0, limit: 1000 });
    // A copy: a decoded Buffer may sit at any offset of a shared pool.
    const ids = new Int32Array(Uint8Array.from(Buffer.from(pts.ids, 'base64')).buffer);
    const xy = new Float32Array(Uint8Array.from(Buffer.from(pts.xy, 'base64')).buffer);
    const pathOf = new Map<number, string>();
    for (const id of ids) pathOf.set(id, (await s.h().dataset.image({ id })).paths[0]!);
    const canvas = s.page.locator('[data-testid=map-canvas]');
    const box = (await canvas.boundingBox())!;
    const [cx, cy, scale] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [
      number,
      number,
      number,
    ];
    const screen = (i: number): [number, number] => [
      box.x + (xy[i * 2]! - cx) * scale + box.width / 2,
      box.y + (xy[i * 2 + 1]! - cy) * scale + box.height / 2,
    ];
    const trousers = [...ids.keys()].filter((i) => truth.get(pathOf.get(ids[i]!)!) === 'trouser');
    const ring = hull(trousers.map(screen));
    const [mx, my] = [
      ring.reduce((s, p) => s + p[0], 0) / ring.length,
      ring.reduce((s, p) => s + p[1], 0) / ring.length,
    ];
    // A little outside the hull, so the points on it are inside the lasso: each corner pushed 8 px
    // away from the centre along its own direction, which moves every edge outward (a push by
    // the signs of x and y alone can move a corner inward across an edge and cut a point off).
    const lasso = ring.map(([x, y]) => {
      const r = Math.hypot(x - mx, y - my) || 1;
      return [x + ((x - mx) / r) * 8, y + ((y - my) / r) * 8] as const;
    });
    await s.page.mouse.move(lasso[0]![0], lasso[0]![1]);
    await s.page.mouse.down();
    for (const [x, y] of [...lasso.slice(1), lasso[0]!]) await s.page.mouse.move(x, y, { steps: 4 });
    await s.page.mouse.up();
    const count = Number(await s.page.getAttribute('[data-testid=selection-count]', 'data-count', { timeout: 10_000 }));
    assert.ok(count >= PER_CLASS, `the lasso picked ${count} images, fewer than the ${PER_CLASS} trousers`);

    await s.page.keyboard.press('1');
    await s.page.waitForSelector(`[data-testid=toast-message]:has-text('Labelled ${count} images "trouser"')`);
    const trouserId = (await s.h().dataset.classes({})).find((c) => c.name === 'trouser')!.id;
    const labelled = await s.h().dataset.images({ filter: { classId: trouserId }, offset: 0, limit: 200 });
    assert.equal(labelled.total, count);
    const right = labelled.items.filter((i) => truth.get(pathOf.get(i.id)!) === 'trouser').length;
    assert.equal(right, PER_CLASS, 'every trouser is labelled');
    assert.ok(right / count >= 0.9, `${right} of ${count} lassoed images are trousers: the cluster is not one`);
    // The grid shows them labelled: filtered to the class, every cell there is one of them.
    await s.page.click('[data-testid=class-item][data-class-name=trouser]');
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${count}"]`);
    await s.page.waitForSelector(`[data-testid=grid-cell][data-class-id="${trouserId}"]`);
    await s.page.waitForSelector(`[data-class-name=trouser] [data-testid=class-count][data-count="${count}"]`);
    if (process.env.MAP_SCREENSHOT) {
      await s.page.click('[data-testid=class-all]');
      await s.page.waitForSelector(`[data-testid=total-count][data-total="${3 * PER_CLASS}"]`);
      await s.page.screenshot({ path: process.env.MAP_SCREENSHOT });
      await s.page.click('[data-testid=class-item][data-class-name=trouser]');
    }

    await s.page.keyboard.press('Control+z');
    await s.page.waitForSelector('[data-testid=total-count][data-total="0"]');
    assert.equal((await s.h().dataset.images({ filter: { classId: trouserId }, offset: 0, limit: 1 })).total, 0);
    assert.deepEqual(s.errors, []);
  });

  it('draws "all in view but some" as the grid holds it (Ctrl+A, two Ctrl-clicks), then a Shift-drag box', async () => {
    await s.page.click('[data-testid=class-all]');
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${3 * PER_CLASS}"]`);
    const cells = s.page.locator('[data-testid=grid-cell]');
    await cells.first().click();
    await s.page.keyboard.press('Control+a');
    await s.page.waitForSelector(`[data-testid=map-panel][data-selected="${3 * PER_CLASS}"]`);
    await cells.nth(1).click({ modifiers: ['Control'] });
    await cells.nth(2).click({ modifiers: ['Control'] });
    await s.page.waitForSelector(`[data-testid=selection-count][data-count="${3 * PER_CLASS - 2}"]`);
    await s.page.waitForSelector(`[data-testid=map-panel][data-selected="${3 * PER_CLASS - 2}"]`);
    // A Shift-drag box over the whole map (in the lasso tool too) selects every point, explicitly.
    const box = (await s.page.locator('[data-testid=map-canvas]').boundingBox())!;
    await s.page.keyboard.down('Shift');
    await s.page.mouse.move(box.x + 2, box.y + 2);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + box.width - 2, box.y + box.height - 2, { steps: 5 });
    await s.page.mouse.up();
    await s.page.keyboard.up('Shift');
    await s.page.waitForSelector(`[data-testid=selection-count][data-count="${3 * PER_CLASS}"]`);
    await s.page.waitForSelector(`[data-testid=map-panel][data-selected="${3 * PER_CLASS}"]`);
    assert.deepEqual(s.errors, []);
  });
});
