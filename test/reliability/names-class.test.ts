// One rule for class names on every way in (the class editor over RPC, folder import, CSV
// import): NFC-normalised, trimmed, no control characters, at most CLASS_NAME_MAX long.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { CLASS_NAME_MAX, checkClassName, normaliseClassName } from '../../src-shared/class-name';
import { contract } from '../../src-shared/contract';
import { StudioError } from '../../src-shared/errors';
import { importLabelsCsv } from '../../src-main/services/curation/csv';
import * as labels from '../../src-main/services/labels/labels';
import { Studio } from '../../src-main/services/studio';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

describe('normaliseClassName', () => {
  test('NFC and trimmed: "é" typed either way is one name', () => {
    assert.equal(normaliseClassName('  e\u0301  '), '\u00e9');
    assert.equal(normaliseClassName('\u00e9'), normaliseClassName('e\u0301'));
    assert.equal(normaliseClassName(' 🐱, "cat" '), '🐱, "cat"');
  });

  test('control characters are refused, NUL, line breaks and C1 included, by code point', () => {
    for (const [raw, code] of [
      ['a\u0000b', 'U+0000'],
      ['a\nb', 'U+000A'],
      ['a\tb', 'U+0009'],
      ['a\u0085b', 'U+0085'],
      ['a\u007fb', 'U+007F'],
      ['a\u2028b', 'U+2028'],
    ] as const) {
      const r = checkClassName(raw);
      assert.ok(!r.ok && r.message.includes(code), `${JSON.stringify(raw)}: ${JSON.stringify(r)}`);
    }
    assert.throws(() => normaliseClassName('\u0000'), /control characters/);
  });

  test('one length limit, counted after normalising', () => {
    assert.ok(checkClassName('x'.repeat(CLASS_NAME_MAX)).ok);
    assert.ok(checkClassName(`  ${'x'.repeat(CLASS_NAME_MAX)}  `).ok);
    assert.ok(checkClassName('e\u0301'.repeat(CLASS_NAME_MAX)).ok, 'composes to 200 characters');
    const long = checkClassName('x'.repeat(CLASS_NAME_MAX + 1));
    assert.ok(!long.ok && long.message.includes(`at most ${CLASS_NAME_MAX}`));
    assert.ok(!checkClassName('   ').ok);
  });

  test('the RPC schemas use the same limit', () => {
    const create = contract.classes.create.input;
    assert.ok(create.safeParse({ name: 'x'.repeat(CLASS_NAME_MAX) }).success);
    assert.ok(!create.safeParse({ name: 'x'.repeat(CLASS_NAME_MAX + 1) }).success);
    assert.ok(!contract.classes.rename.input.safeParse({ id: 1, name: 'x'.repeat(CLASS_NAME_MAX + 1) }).success);
  });
});

describe('in a project', () => {
  const open = () => {
    const studio = new Studio();
    studio.open({ path: temp('project'), create: true });
    return studio;
  };

  test('create and rename: composed and decomposed are one class, NUL and 201 characters are refused', () => {
    const studio = open();
    const db = studio.project!.db;
    const id = labels.createClass(db, 'caf\u00e9', undefined, 1).classId;
    assert.throws(
      () => labels.createClass(db, ' cafe\u0301 ', undefined, 2),
      (e: unknown) => e instanceof StudioError && /already exists/.test(e.message),
    );
    assert.throws(
      () => labels.createClass(db, 'a\u0000b', undefined, 3),
      (e: unknown) => e instanceof StudioError && /U\+0000/.test(e.message),
    );
    assert.throws(() => labels.createClass(db, 'y'.repeat(CLASS_NAME_MAX + 1), undefined, 4), /at most 200/);
    const other = labels.createClass(db, 'dog', undefined, 5).classId;
    assert.throws(() => labels.renameClass(db, other, 'cafe\u0301', 6), /already exists/);
    labels.renameClass(db, id, ' Cafe\u0301 ', 7);
    assert.deepEqual(db.prepare('SELECT name FROM classes ORDER BY id').all(), [
      { name: 'Caf\u00e9' },
      { name: 'dog' },
    ]);
    studio.close();
  });

  test('folder import: names normalised into one class; a folder whose name cannot be a class is a problem, not a class', async () => {
    const data = temp('data');
    const folders = ['caf\u00e9', 'cafe\u0301', ' padded ', 'z'.repeat(220), 'tab\there'];
    for (const [i, f] of folders.entries()) {
      mkdirSync(join(data, f));
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40 * i, g: 9, b: 200 - 30 * i } } })
        .png()
        .toFile(join(data, f, 'img.png'));
    }
    const studio = open();
    await studio.handlers().folders.pick({ path: data });
    await studio.handlers().imports.start({ folder: data });
    await studio.idle();
    const db = studio.project!.db;
    assert.deepEqual(db.prepare('SELECT name FROM classes ORDER BY name').all(), [
      { name: 'caf\u00e9' },
      { name: 'padded' },
    ]);
    const labelled = db
      .prepare(
        'SELECT c.name AS n, count(*) AS k FROM images i JOIN classes c ON c.id = i.class_id GROUP BY c.name ORDER BY c.name',
      )
      .all();
    assert.deepEqual(labelled, [
      { n: 'caf\u00e9', k: 2 },
      { n: 'padded', k: 1 },
    ]);
    const problems = db.prepare('SELECT path, reason FROM problems ORDER BY path').all() as {
      path: string;
      reason: string;
    }[];
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assert.ok(problems.some((p) => p.path.endsWith('tab\there') && /control characters/.test(p.reason)));
    assert.ok(
      problems.some(
        (p) => p.path.endsWith('z'.repeat(220)) && /at most 200 characters; this one has 220/.test(p.reason),
      ),
    );

    // CSV import: a decomposed, padded label is the composed class.
    const csv = join(temp('csv'), 'l.csv');
    const path = (
      db
        .prepare(
          "SELECT p.path FROM image_paths p JOIN images i ON i.id = p.image_id JOIN classes c ON c.id = i.class_id WHERE c.name = 'padded'",
        )
        .get() as { path: string }
    ).path;
    writeFileSync(csv, `path,label\n${JSON.stringify(path)}, cafe\u0301 \n`);
    assert.equal(importLabelsCsv(db, csv, 9).changed, 1);
    assert.deepEqual(
      db
        .prepare("SELECT count(*) AS k FROM images i JOIN classes c ON c.id = i.class_id WHERE c.name = 'caf\u00e9'")
        .get(),
      { k: 3 },
    );
    studio.close();
  });
});
