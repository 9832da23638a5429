// Half a surrogate pair in a class name: the contract fuzzer found that SQLite stores it as
// U+FFFD, so a second such name passed the duplicate check and collided in the store (an
// internal error). The rule now refuses it, through a real project as the RPC door sees it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../../../src-main/rpc/dispatcher';
import { Studio } from '../../../src-main/services/studio';
import { checkClassName } from '../../../src-shared/class-name';

test('a lone surrogate is refused, naming it; a whole pair (an emoji) is a name', () => {
  const lone = checkClassName('cat\ud800');
  assert.equal(lone.ok, false);
  assert.match(!lone.ok ? lone.message : '', /half of a character pair \(U\+D800\) at character 4/);
  assert.deepEqual(checkClassName('\udc00'), {
    ok: false,
    message:
      'A class name must be valid text; it has half of a character pair (U+DC00) at character 1. Retype the name.',
  });
  assert.deepEqual(checkClassName('cat 🐈'), { ok: true, name: 'cat 🐈' });
});

test('two names with different lone surrogates are both refused by classes.create, not an internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-class-name-'));
  const studio = new Studio({ modelCacheDir: join(dir, 'models'), configDir: join(dir, 'config'), background: false });
  try {
    studio.open({ path: join(dir, 'project'), create: true });
    for (const [id, name] of [
      [1, '\ud800'],
      [2, '\udc00'],
    ] as const) {
      const reply = await dispatch(
        studio,
        { kind: 'call', id, service: 'classes', method: 'create', input: { name } },
        () => undefined,
      );
      assert.ok(reply.kind === 'result' && !reply.ok, JSON.stringify(reply));
      assert.equal(reply.error.code, 'invalid-input');
    }
  } finally {
    studio.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
