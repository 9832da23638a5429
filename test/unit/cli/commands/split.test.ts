import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGroupBy } from '../../../../src-main/cli/commands/split';

test('--group-by reads folder, folder:N, regex:PATTERN and csv:FILE:COLUMN', () => {
  assert.deepEqual(parseGroupBy('folder'), { kind: 'folder', level: -1 });
  assert.deepEqual(parseGroupBy('folder:0'), { kind: 'folder', level: 0 });
  assert.deepEqual(parseGroupBy('folder:-2'), { kind: 'folder', level: -2 });
  assert.deepEqual(parseGroupBy('regex:^(P\\d+):x'), { kind: 'pattern', regex: '^(P\\d+):x' });
  assert.deepEqual(parseGroupBy('csv:C:/data/meta.csv:patient'), {
    kind: 'csv',
    file: 'C:/data/meta.csv',
    column: 'patient',
  });
  for (const bad of ['folder:x', 'regex:', 'csv:file.csv', 'patient'])
    assert.throws(() => parseGroupBy(bad), /folder, folder:N, regex:PATTERN or csv:FILE:COLUMN/);
});
