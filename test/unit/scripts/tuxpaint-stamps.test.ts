// The Tux Paint stamps fixture on a small stand-in tree (the Debian package is not needed):
// categories become classes, PNGs are copied byte for byte, mirror variants and SVGs that
// duplicate a PNG are left out, other SVGs are rendered, and the cap is a seeded choice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chooseStamps, SVG_SIDE, writeStamps } from '../../../scripts/tuxpaint-stamps';

const dir = mkdtempSync(join(tmpdir(), 'fs-tuxpaint-'));
const root = join(dir, 'stamps');
const svg = (w: number, h: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><circle cx="${w / 2}" cy="${h / 2}" r="${h / 3}" fill="#c00"/></svg>`;

async function png(path: string, shade: number): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp({ create: { width: 12, height: 10, channels: 4, background: { r: shade, g: 80, b: 20, alpha: 0.5 } } })
    .png()
    .toFile(path);
}

before(async () => {
  // animals: 4 PNGs (two in subfolders, one name repeated), a mirror, an SVG twin, a lone SVG, side files.
  await png(join(root, 'animals', 'cat.png'), 10);
  await png(join(root, 'animals', 'birds', 'owl.png'), 20);
  await png(join(root, 'animals', 'birds', 'owl_mirror.png'), 21);
  await png(join(root, 'animals', 'fish', 'owl.png'), 30);
  await png(join(root, 'animals', 'dog.png'), 40);
  writeFileSync(join(root, 'animals', 'dog.svg'), svg(40, 30));
  writeFileSync(join(root, 'animals', 'frog.svg'), svg(64, 32));
  writeFileSync(join(root, 'animals', 'cat.txt'), 'A cat.');
  writeFileSync(join(root, 'animals', 'cat_desc.ogg'), 'not really ogg');
  writeFileSync(join(root, 'animals', 'cat.dat'), 'colorable');
  await png(join(root, 'space', 'moon.png'), 50);
  writeFileSync(join(root, 'space', 'moon.txt'), 'The moon.');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('categories with enough stamps become class folders of copied PNGs and rendered SVGs', async () => {
  const out = join(dir, 'out');
  const counts = await writeStamps(root, out, { min: 2, seed: 1, svg: true });
  assert.deepEqual(counts, { animals: 5 }, 'space has one stamp, under --min');
  assert.deepEqual(readdirSync(out), ['animals']);
  assert.deepEqual(readdirSync(join(out, 'animals')).sort(), [
    'birds__owl.png',
    'cat.png',
    'dog.png',
    'fish__owl.png',
    'frog.png',
  ]);
  const copied = join(out, 'animals', 'birds__owl.png');
  assert.ok(lstatSync(copied).isFile() && !lstatSync(copied).isSymbolicLink(), 'a copy, not a link');
  assert.deepEqual(readFileSync(copied), readFileSync(join(root, 'animals', 'birds', 'owl.png')));
  assert.deepEqual(
    readFileSync(join(out, 'animals', 'dog.png')),
    readFileSync(join(root, 'animals', 'dog.png')),
    'the PNG, not its SVG twin',
  );
  const frog = await sharp(join(out, 'animals', 'frog.png')).metadata();
  assert.deepEqual([frog.format, frog.width, frog.height, frog.hasAlpha], ['png', SVG_SIDE, SVG_SIDE / 2, true]);
});

test('without SVGs, and --min 0 keeps every category', () => {
  const classes = chooseStamps(root, { min: 0, seed: 1, svg: false });
  assert.deepEqual([...classes.keys()], ['animals', 'space']);
  assert.deepEqual(
    classes.get('animals')!.map((s) => s.name),
    ['birds__owl.png', 'cat.png', 'dog.png', 'fish__owl.png'],
  );
});

test('--max is a seeded choice among the stamps', () => {
  const names = (seed: number) =>
    chooseStamps(root, { min: 0, max: 2, seed, svg: true })
      .get('animals')!
      .map((s) => s.name);
  assert.equal(names(3).length, 2);
  assert.deepEqual(names(3), names(3));
  const all = new Set(
    chooseStamps(root, { min: 0, seed: 1, svg: true })
      .get('animals')!
      .map((s) => s.name),
  );
  const picks = new Set(Array.from({ length: 12 }, (_, s) => names(s).join()));
  assert.ok(picks.size > 1, 'seeds choose differently');
  for (const pick of picks) for (const n of pick.split(',')) assert.ok(all.has(n));
});

test('a folder with files in it is refused, so no stale class is left among the new ones', async () => {
  const out = join(dir, 'used');
  mkdirSync(join(out, 'old-class'), { recursive: true });
  await assert.rejects(writeStamps(root, out, { min: 0, seed: 1, svg: true }), /not empty/);
  await assert.rejects(
    writeStamps(join(dir, 'missing'), join(dir, 'new'), { min: 0, seed: 1, svg: true }),
    /tuxpaint-stamps-default/,
  );
});
