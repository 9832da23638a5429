// Group keys from a folder, a file-name pattern or a CSV column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLabelsCsv } from '../../../../../src-main/services/curation/algorithms/labels-csv';
import {
  csvGroup,
  folderGroup,
  normalizePath,
  patternGroup,
} from '../../../../../src-main/services/curation/algorithms/group-keys';

test('folder levels count from the root (0, 1, ...) or from the file (-1, -2, ...)', () => {
  const path = 'xray/pneumonia/patient12/scan3.png';
  assert.equal(folderGroup(0)(path), 'xray');
  assert.equal(folderGroup(2)(path), 'patient12');
  assert.equal(folderGroup(-1)(path), 'patient12');
  assert.equal(folderGroup(-2)('C:\\data\\dog\\img.jpg'), 'data');
  assert.equal(folderGroup(3)(path), null);
  assert.equal(folderGroup(-1)('loose.png'), null);
});

test('a pattern takes its first capture group, or the one named group, from the file name', () => {
  assert.equal(patternGroup('^(P\\d+)_')('cases/P0012_scan3.png'), 'P0012');
  assert.equal(patternGroup('(\\w+)-(?<group>\\d+)\\.')('a/cat-77.jpg'), '77');
  assert.equal(patternGroup('^(P\\d+)_')('other.png'), null);
  // Only the file name is matched, not the folders.
  assert.equal(patternGroup('^(P\\d+)')('P9/x.png'), null);
});

test('a pattern without a capture group, or not a regex at all, is refused in words', () => {
  assert.throws(() => patternGroup('P\\d+'), /has no capture group: put the part that names the group in parentheses/);
  assert.throws(() => patternGroup('(P\\d+'), /'\(P\\d\+' is not a valid regular expression/);
});

test('a CSV column maps paths to groups, matching a path that ends with the CSV path', () => {
  const rows = parseLabelsCsv(
    'path,label,patient\nimg/a.png,cat,P1\nb.png,dog,P2\nother/img/a.png,cat,P3\nc.png,cat,\n',
  );
  const group = csvGroup(
    rows.map((r) => ({ path: r.path, ...r.extra })),
    'patient',
  );
  assert.equal(group('/home/me/data/img/a.png'), 'P1');
  assert.equal(group('/data/other/img/a.png'), 'P3'); // the longer, more specific match wins
  assert.equal(group('b.png'), 'P2');
  assert.equal(group('/x/notb.png'), null); // 'b.png' must match at a folder boundary
  assert.equal(group('c.png'), null); // an empty cell is no group
  assert.throws(() => csvGroup([{ path: 'a', x: '1' }], 'patient'), /no column 'patient'/);
});

test('paths normalise across separators and leading ./', () => {
  assert.equal(normalizePath('.\\a\\b.png'), 'a/b.png');
  assert.equal(normalizePath('./././a/b.png'), 'a/b.png');
});
