// A file a person named that cannot be read is refused with its name and the reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNamedFile } from '../../../../src-node-shared/fs/read-file';
import { StudioError } from '../../../../src-shared/errors';

test('reads the bytes, or refuses naming the file and the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-read-'));
  try {
    writeFileSync(join(dir, 'a.csv'), 'path\n');
    assert.equal(readNamedFile(join(dir, 'a.csv')).toString(), 'path\n');
    const missing = join(dir, 'gone.csv');
    assert.throws(
      () => readNamedFile(missing, `the group CSV ${missing}`),
      (err: unknown) =>
        err instanceof StudioError &&
        err.code === 'not-found' &&
        err.message === `Cannot read the group CSV ${missing}: ENOENT. Check the path.`,
    );
    assert.throws(() => readNamedFile(dir), /^StudioError: Cannot read .*: EISDIR\. Check the path\.$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
