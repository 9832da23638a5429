// The spreadsheet escape must be exact both ways: every string over an alphabet of the
// guarded characters, the escape itself and plain text reads back to itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, fromSpreadsheetSafe, spreadsheetSafe } from '../../../src-shared/csv-cells';

const ALPHABET = ["'", '=', '+', '-', '@', '\t', '\r', 'a', ' '];

function* strings(maxLength: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= maxLength; n++) {
    level = level.flatMap((s) => ALPHABET.map((c) => s + c));
    yield* level;
  }
}

test('every string of up to 4 characters from the guarded ones, quote and text round-trips, and none is written as a formula', () => {
  let count = 0;
  for (const value of strings(4)) {
    const cell = spreadsheetSafe(value);
    assert.equal(fromSpreadsheetSafe(cell), value, JSON.stringify(value));
    assert.doesNotMatch(cell, /^[=+\-@\t\r]/, JSON.stringify(value));
    count++;
  }
  assert.equal(count, 1 + 9 + 81 + 729 + 6561);
});

test('only values that need it get the prefix; quoting comes after it', () => {
  assert.equal(spreadsheetSafe('plain'), 'plain');
  assert.equal(spreadsheetSafe("'plain"), "'plain");
  assert.equal(spreadsheetSafe("'"), "'");
  assert.equal(spreadsheetSafe('-x'), "'-x");
  assert.equal(spreadsheetSafe("'=y"), "''=y");
  assert.equal(spreadsheetSafe("''"), "'''");
  assert.equal(csvField('=HYPERLINK("u","c")'), `"'=HYPERLINK(""u"",""c"")"`);
  assert.equal(csvField('\t'), `"'\t"`);
});
