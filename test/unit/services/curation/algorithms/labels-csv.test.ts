// CSV: RFC 4180 quoting both ways, and errors that name the line and the column.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CsvError,
  formatCsv,
  parseCsv,
  parseLabelsCsv,
  writeLabelsCsv,
  type LabelRow,
} from '../../../../../src-main/services/curation/algorithms/labels-csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  test('quoted fields hold commas, doubled quotes and line breaks', () => {
    assert.deepEqual(fields('a,"b,c","say ""hi""","two\nlines"\n'), [['a', 'b,c', 'say "hi"', 'two\nlines']]);
  });

  test('CRLF and LF both end records; BOM, blank lines and a missing final break are fine', () => {
    assert.deepEqual(fields('\ufeffx,y\r\n1,2\r\n\r\n3,4'), [
      ['x', 'y'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  test('empty fields, quoted or not, are kept', () => {
    assert.deepEqual(fields('a,,""\n,\n""\n'), [['a', '', ''], ['', ''], ['']]);
  });

  test('each record knows the line it starts on, even after a field spanning lines', () => {
    assert.deepEqual(
      parseCsv('h\n"a\nb"\nc\n').map((r) => r.line),
      [1, 2, 4],
    );
  });

  test('broken quoting is reported with its line and field, never its text', () => {
    assert.throws(
      () => parseCsv('a\nb,"open\nc\n'),
      (e: unknown) =>
        e instanceof CsvError &&
        e.message === 'line 2, column 2: a quoted field is never closed (expected a closing ")',
    );
    assert.throws(
      () => parseCsv('a\n"x"y,1\n'),
      (e: unknown) =>
        e instanceof CsvError &&
        e.message === 'line 2, column 1: expected a comma or the end of the line after a closing quote',
    );
    assert.throws(
      () => parseCsv('a\nab"c\n'),
      (e: unknown) =>
        e instanceof CsvError &&
        /^line 2, column 1: a quote inside an unquoted field/.test(e.message) &&
        !e.message.includes('ab'),
    );
  });
});

test('formatCsv quotes only what needs it, and parseCsv reads it back', () => {
  const rows = [['plain', 'with,comma', 'with "quote"', 'line\nbreak', ' padded ', '', 'crlf\r\nx']];
  const text = formatCsv(rows);
  assert.equal(text, 'plain,"with,comma","with ""quote""","line\nbreak"," padded ",,"crlf\r\nx"\n');
  assert.deepEqual(fields(text), rows);
});

describe('labels CSV', () => {
  const rows: Array<Pick<LabelRow, 'path' | 'label' | 'split' | 'group'>> = [
    { path: 'cats/a.png', label: 'cat', split: 'train', group: null },
    { path: 'odd, "name".png', label: 'dog, small', split: 'val', group: 'P1' },
    { path: 'multi\nline.png', label: null, split: null, group: 'P "2"' },
  ];

  test('round trip keeps every awkward field', () => {
    const text = writeLabelsCsv(rows);
    assert.ok(text.startsWith('path,label,split,group\n'));
    assert.deepEqual(
      parseLabelsCsv(text).map(({ path, label, split, group }) => ({ path, label, split, group })),
      rows,
    );
  });

  test('columns in any order, other columns kept as extra, split names forgiving about case and "validation"', () => {
    const [row] = parseLabelsCsv('Split,patient,PATH\nValidation,P7,x.png\n');
    assert.deepEqual(row, { path: 'x.png', label: null, split: 'val', group: null, line: 2, extra: { patient: 'P7' } });
  });

  test('every problem is reported at once, by line and column', () => {
    const text = 'path,label,split\na.png,cat,train\nb.png,dog,trian\n,cat,test\na.png,cat,val\nc.png,cat\n';
    try {
      parseLabelsCsv(text);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof CsvError);
      assert.deepEqual(e.message.split('\n'), [
        "line 3, column split: 'trian' is not one of train, val, test",
        'line 4, column path: the path is empty',
        'line 5, column path: the path already appears on line 2',
        'line 6: 2 fields, but the header has 3',
      ]);
      assert.equal(e.issues.length, 4);
    }
  });

  test('a header without path, a repeated column or an empty file is refused', () => {
    assert.throws(
      () => parseLabelsCsv('file,label\na,b\n'),
      (e: unknown) =>
        e instanceof CsvError &&
        /^line 1: no 'path' column in the header/.test(e.message) &&
        !e.message.includes('file,'),
    );
    assert.throws(() => parseLabelsCsv('path,label,Label\n'), /line 1, column label: the column appears twice/);
    assert.throws(() => parseLabelsCsv(''), /the file is empty/);
  });

  test('more than ten problems are summarised', () => {
    const text = 'path,split\n' + Array.from({ length: 14 }, (_, i) => `f${i}.png,nope\n`).join('');
    const e = (() => {
      try {
        parseLabelsCsv(text);
      } catch (err) {
        return err as CsvError;
      }
    })()!;
    assert.equal(e.issues.length, 14);
    assert.match(e.message, /\.\.\. and 4 more$/);
  });
});
