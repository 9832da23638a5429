// The recent projects: one list per user for both doors, newest first, bounded, and a
// damaged file is started afresh rather than failing the project being opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECENTS_MAX, RecentProjects, userConfigDir } from '../../../../src-main/services/folders/recents';

test('newest first, each once, bounded, with a forget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-recents-'));
  const recents = new RecentProjects(join(dir, 'config'));
  for (let i = 0; i < RECENTS_MAX + 3; i++) recents.remember(join(dir, `p${i}`), 1000 + i);
  recents.remember(join(dir, 'p5'), 5000);
  const list = recents.list();
  assert.equal(list.length, RECENTS_MAX);
  assert.deepEqual(
    list.slice(0, 2).map((r) => [r.name, r.openedAt]),
    [
      ['p5', 5000],
      [`p${RECENTS_MAX + 2}`, 1000 + RECENTS_MAX + 2],
    ],
  );
  assert.equal(list.filter((r) => r.name === 'p5').length, 1);
  assert.equal(recents.has(join(dir, 'p5', '.')), true);
  recents.forget(join(dir, 'p5'));
  assert.equal(recents.has(join(dir, 'p5')), false);
  // A second reader (the other door) sees the same list.
  assert.deepEqual(new RecentProjects(join(dir, 'config')).list(), recents.list());
});

test('a project whose studio.db is gone is listed as missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-recents-'));
  mkdirSync(join(dir, 'there'));
  writeFileSync(join(dir, 'there', 'studio.db'), '');
  const recents = new RecentProjects(dir);
  recents.remember(join(dir, 'there'), 1);
  recents.remember(join(dir, 'gone'), 2);
  assert.deepEqual(
    recents.list().map((r) => [r.name, r.exists]),
    [
      ['gone', false],
      ['there', true],
    ],
  );
});

test('a damaged list reads as empty and is replaced by the next remember', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-recents-'));
  const recents = new RecentProjects(dir);
  writeFileSync(recents.file, '{"not": "a list"');
  assert.deepEqual(recents.list(), []);
  recents.remember(join(dir, 'p'), 1);
  assert.deepEqual(
    recents.list().map((r) => r.name),
    ['p'],
  );
});

test("the config folder: STUDIO_CONFIG_DIR, else the door's, else XDG, else ~/.config", () => {
  assert.equal(userConfigDir('/u', { STUDIO_CONFIG_DIR: '/c' }, '/h'), '/c');
  assert.equal(userConfigDir('/u', {}, '/h'), '/u');
  assert.equal(userConfigDir(undefined, { XDG_CONFIG_HOME: '/x' }, '/h'), '/x/finetune-studio');
  assert.equal(userConfigDir(undefined, { XDG_CONFIG_HOME: 'relative' }, '/h'), '/h/.config/finetune-studio');
});
