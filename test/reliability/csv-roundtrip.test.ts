// The labels CSV as a real CSV: export then import of a project round-trips exactly (class
// names and paths with spaces, commas, quotes, line breaks, emoji and combining accents),
// quoted headers, BOM and CRLF are read, other encodings are refused by name, and no error
// quotes the file it could not read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { StudioError } from '../../src-shared/errors';
import { formatCsv, parseCsv } from '../../src-main/services/curation/algorithms/labels-csv';
import { seededRandom } from '../../src-shared/random';
import { exportLabelsCsv, importLabelsCsv } from '../../src-main/services/curation/csv';
import * as labels from '../../src-main/services/labels/labels';
import { Studio } from '../../src-main/services/studio';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

// Pieces a generated name or field is made of: every kind of character the issue names.
const PIECES = [
  ' ',
  '  ',
  ',',
  '"',
  '""',
  'a',
  'Zed',
  'é',
  'e\u0301',
  '🐱',
  '👩‍🔬',
  'ß',
  '中文',
  "'",
  ';',
  '\t',
  'x y',
  '=1+2',
  '#',
];
const BREAKS = ['\n', '\r\n', '\r'];

function generated(random: () => number, withBreaks: boolean): string {
  const pool = withBreaks ? [...PIECES, ...BREAKS] : PIECES.filter((p) => p !== '\t');
  let s = '';
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) s += pool[Math.floor(random() * pool.length)];
  return s;
}

test('formatCsv then parseCsv gives back 2,000 generated fields exactly, line breaks and padding included', () => {
  const random = seededRandom(13);
  const rows = Array.from({ length: 400 }, () => Array.from({ length: 5 }, () => generated(random, true)));
  assert.deepEqual(
    parseCsv(formatCsv(rows)).map((r) => r.fields),
    rows,
  );
});

describe('a project exported and imported again', () => {
  let studio: Studio;
  let ids: number[];
  const db = () => studio.project!.db;
  const state = () =>
    db()
      .prepare(
        'SELECT i.id, c.name AS label, i.split, i.group_key AS g FROM images i LEFT JOIN classes c ON c.id = i.class_id ORDER BY i.id',
      )
      .all();

  before(async () => {
    const data = temp('data');
    // File names a CSV must quote: spaces at the ends, commas, quotes, a line break, emoji.
    const names = [
      ' lead.png',
      'trail .png',
      'a,"b".png',
      'new\nline.png',
      '🐱 cat.png',
      'e\u0301t\u00e9.png',
      'plain.png',
      'semi;colon.png',
    ];
    mkdirSync(join(data, 'in'));
    for (const [i, name] of names.entries()) {
      await sharp({
        create: { width: 8, height: 8, channels: 3, background: { r: 30 * i, g: 255 - 30 * i, b: 7 * i } },
      })
        .png()
        .toFile(join(data, 'in', name));
    }
    studio = new Studio();
    studio.open({ path: temp('project'), create: true });
    await studio.handlers().folders.pick({ path: data });
    await studio.handlers().imports.start({ folder: data });
    await studio.idle();
    ids = (db().prepare('SELECT id FROM images ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    assert.equal(ids.length, names.length);
  });
  after(() => studio.close?.());

  test('generated class names, groups and splits survive export then import exactly', () => {
    const random = seededRandom(7);
    const classIds: number[] = [];
    const seen = new Set<string>();
    while (classIds.length < 6) {
      const raw = generated(random, false);
      const key = raw.normalize('NFC').trim();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      classIds.push(labels.createClass(db(), raw, undefined, 1).classId);
    }
    ids.forEach((id, i) => {
      labels.assignLabel(db(), [id], i % 7 === 6 ? null : classIds[i % classIds.length], 2);
      labels.setSplits(
        db(),
        [
          {
            imageId: id,
            split: (['train', 'val', 'test', null] as const)[i % 4],
            groupKey: i % 3 ? generated(random, true) : null,
          },
        ],
        3,
        'test',
      );
    });
    const want = state();
    const file = join(temp('csv'), 'labels.csv');
    assert.equal(exportLabelsCsv(db(), file).rows, ids.length);
    assert.equal(importLabelsCsv(db(), file, 4).changed, 0, 'an unchanged project reads back unchanged');
    labels.assignLabel(db(), ids, null, 5);
    labels.setSplit(db(), ids, null, 6);
    const out = importLabelsCsv(db(), file, 7);
    assert.equal(out.rows, ids.length);
    assert.deepEqual(state(), want);
  });

  test('names stored before the rule (padded, decomposed, with a line break) still match their own export', () => {
    const legacy = [' padded ', 'cafe\u0301', 'two\nlines'];
    const insert = db().prepare('INSERT INTO classes (name, color, created_at) VALUES (?, ?, 0)');
    const legacyIds = legacy.map((n) => Number(insert.run(n, '#000000').lastInsertRowid));
    ids.slice(0, 3).forEach((id, i) => labels.assignLabel(db(), [id], legacyIds[i]!, 8));
    const want = state();
    const file = join(temp('csv'), 'legacy.csv');
    exportLabelsCsv(db(), file);
    labels.assignLabel(db(), ids.slice(0, 3), null, 9);
    importLabelsCsv(db(), file, 10);
    assert.deepEqual(state(), want);
  });

  test('a quoted header, a BOM and CRLF line ends are read; a padded label maps to its trimmed class', () => {
    const file = join(temp('csv'), 'quoted.csv');
    const path = (db().prepare('SELECT path FROM image_paths WHERE image_id = ?').get(ids[6]) as { path: string }).path;
    const cls = labels.createClass(db(), 'Quoted Class', undefined, 11).classId;
    writeFileSync(file, `\ufeff"Path" , "LABEL","split"\r\n"${path}",  Quoted Class  ,"VAL"\r\n`);
    const out = importLabelsCsv(db(), file, 12);
    assert.deepEqual([out.rows, out.changed], [1, 1]);
    assert.deepEqual(db().prepare('SELECT class_id AS c, split FROM images WHERE id = ?').get(ids[6]), {
      c: cls,
      split: 'val',
    });
  });

  describe('refused, with nothing applied and nothing of the file quoted', () => {
    const refused = (bytes: Buffer | string, pattern: RegExp, secret?: string) => {
      const file = join(temp('csv'), 'bad.csv');
      writeFileSync(file, bytes);
      const before = JSON.stringify(state());
      assert.throws(
        () => importLabelsCsv(db(), file, 20),
        (e: unknown) => {
          assert.ok(e instanceof StudioError, String(e));
          assert.match(e.message, pattern);
          assert.ok(e.message.includes(file), 'the message names the file');
          if (secret) assert.ok(!e.message.includes(secret), `the message quotes the file: ${e.message}`);
          return true;
        },
      );
      assert.equal(JSON.stringify(state()), before);
    };

    test('UTF-16 with a BOM, and without one', () => {
      refused(
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('path,label\nx.png,cat\n', 'utf16le')]),
        /looks like UTF-16 LE/,
      );
      refused(Buffer.from('path,label\nx.png,cat\n', 'utf16le'), /looks like UTF-16 LE/);
      refused(
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('path', 'utf16le').swap16()]),
        /looks like UTF-16 BE/,
      );
    });

    test('Latin-1 bytes: the first bad byte and its line are named', () => {
      refused(
        Buffer.from('path,label\nx.png,caf\xe9\n', 'latin1'),
        /not valid UTF-8 at byte 21 \(line 2\); it looks like Latin-1 \(ISO-8859-1\) or Windows-1252\. Save it as UTF-8/,
      );
      refused(
        Buffer.from('path,label\nx.png,\x93q\x94\n', 'latin1'),
        /not valid UTF-8 at byte 18 .*looks like Windows-1252/,
      );
    });

    test('a file like /etc/shadow is never echoed', () => {
      const secret = 'root:$6$S3cr3tHash$AbCdEf:19000:0:99999:7:::';
      refused(`${secret}\ndaemon:*:19000:0:99999:7:::\n`, /line 1: no 'path' column in the header/, 'S3cr3tHash');
      refused(`"${secret}\n`, /line 1, column 1: a quoted field is never closed/, 'S3cr3tHash');
      refused(
        `path,label\n"x.png"${secret},cat\n`,
        /line 2, column 1: expected a comma or the end of the line after a closing quote/,
        'S3cr3tHash',
      );
      refused(`path,label\nx${secret}"q,cat\n`, /line 2, column 1: a quote inside an unquoted field/, 'S3cr3tHash');
    });

    test('an unknown, repeated or missing column', () => {
      refused('path,lable\nx.png,cat\n', /header column 2 is not one of path, label, split, group/);
      refused('path,label,Label\n', /column label: the column appears twice/);
      refused('label,split\ncat,train\n', /no 'path' column/);
      refused('', /the file is empty/);
    });
  });
});
