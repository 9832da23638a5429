// A damaged studio.db (issue 19, point 3): garbage over each page of a small project's
// database in turn, each on a fresh copy. Every door gives one message naming the file, the
// newest backup and `studio restore`; restoring keeps the damaged files aside and gives back
// a database that passes integrity_check with the backup's data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { serveArgv } from '../fixtures/children';
import { before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../src-shared/errors';
import { openProject } from '../../src-main/services/project/project';
import { integrityOf, restoreProject } from '../../src-main/services/project/restore';
import { Studio } from '../../src-main/services/studio';
import { listBackups } from '../../src-main/store/backups';
import { imageFolder, importHere, STACK, studioRun, tempDir } from './helpers/store';

const base = tempDir('corrupt');
const source = join(base, 'project');
let pageSize = 0;
let pages = 0;
let backupName = '';

/** What a restore must give back: the images with their labels, as the backup holds them. */
function contents(dbFile: string): string {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    return JSON.stringify(
      db
        .prepare(
          'SELECT i.hash, i.split, c.name FROM images i LEFT JOIN classes c ON c.id = i.class_id ORDER BY i.hash',
        )
        .all(),
    );
  } finally {
    db.close();
  }
}

before(async () => {
  const data = join(base, 'data');
  await imageFolder(data, 24, 1, 16);
  await importHere(source, data);
  // Opening an existing project with no backup takes one; `backup` resolves once it is written.
  const p = openProject(source, { create: false });
  backupName = (await p.backup)!;
  p.close();
  assert.ok(backupName && existsSync(backupName), 'the first open made a backup');
  const db = new BetterSqlite3(join(source, 'studio.db'));
  pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  pages = statSync(join(source, 'studio.db')).size / pageSize;
});

/** A fresh copy of the project with 48 bytes of garbage at the start of page `page` (past the file header on page 1). */
function damagedCopy(page: number): string {
  const dir = join(base, `p${page}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(source, 'studio.db'), join(dir, 'studio.db'));
  cpSync(join(source, 'backups'), join(dir, 'backups'), { recursive: true });
  const fd = openSync(join(dir, 'studio.db'), 'r+');
  writeSync(fd, Buffer.alloc(48, 0xa7), 0, 48, (page - 1) * pageSize + (page === 1 ? 100 : 0));
  closeSync(fd);
  return dir;
}

function assertClear(message: string, dir: string): void {
  assert.match(message, /studio\.db is damaged and was not opened/, message);
  assert.ok(message.includes(join(dir, 'studio.db')), `names the file: ${message}`);
  assert.ok(message.includes(listBackups(join(dir, 'studio.db'))[0]!.path), `names the newest backup: ${message}`);
  assert.match(message, /taken \d{4}-\d\d-\d\d \d\d:\d\d UTC/, message);
  assert.ok(message.includes(`studio restore ${dir}`), `names the command: ${message}`);
  assert.doesNotMatch(message, STACK);
}

test('garbage over each page in turn: opening says damaged with the backup and `studio restore`, and restoring gives the backup back', async () => {
  const expected = contents(backupName);
  let refused = 0;
  for (let page = 1; page <= pages; page++) {
    const dir = damagedCopy(page);
    const studio = new Studio({ configDir: join(dir, 'config'), background: false });
    studio.folders.access.grant(dir);
    const handlers = studio.handlers();
    let message: string | null = null;
    try {
      await handlers.project.open({ path: dir, create: false });
      // A page that no b-tree reads (a free page) damages nothing a check can see.
      studio.close();
    } catch (err) {
      assert.ok(err instanceof StudioError && err.code === 'corrupt-project', `page ${page}: ${String(err)}`);
      message = err.message;
    }
    if (message === null) continue;
    refused += 1;
    assertClear(message, dir);
    const damaged = readFileSync(join(dir, 'studio.db'));
    const out = await handlers.project.restore({ path: dir });
    assert.equal(out.keptAside.length, 1);
    assert.deepEqual(readFileSync(out.keptAside[0]!), damaged, 'the damaged file is kept aside as it was');
    assert.equal(integrityOf(join(dir, 'studio.db')), 'ok', `page ${page}`);
    assert.equal(contents(join(dir, 'studio.db')), expected, `page ${page}`);
    await handlers.project.open({ path: dir, create: false });
    studio.close();
  }
  console.log(`# ${refused} of ${pages} damaged pages were refused at open`);
  assert.ok(refused >= pages - 2, `${refused} of ${pages}`);
});

test('the CLI and the server say the same for a damaged project, and `studio restore` brings it back keeping the damaged files', async () => {
  const dir = damagedCopy(2);
  for (const cmd of [['info', dir]]) {
    const r = await studioRun(...cmd);
    assert.equal(r.code, 1, `${cmd[0]}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assertClear(r.stderr, dir);
  }
  const server = await serve(dir);
  assert.equal(server.code, 1);
  assert.match(server.stderr, /^Finetune Studio could not start: .*studio\.db is damaged/);
  assertClear(server.stderr, dir);
  const damaged = readFileSync(join(dir, 'studio.db'));
  const r = await studioRun('restore', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /restored studio\.db from .*backups\/studio-.*\.db .*kept aside: .*studio\.db\.before-restore-/s,
  );
  const aside = r.stdout.match(/kept aside: (\S+)/)![1]!;
  assert.deepEqual(readFileSync(aside), damaged, 'the damaged file is kept, byte for byte');
  assert.equal((await studioRun('info', dir)).code, 0);
  assert.throws(
    () => restoreProject(dir, join(dir, 'missing.db')),
    (err: unknown) => err instanceof StudioError && /missing\.db does not exist/.test(err.message),
  );
});

/** `serve --project DIR` as a child process: it should exit at once with one line. */
function serve(dir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, serveArgv('--project', dir, '--port', '0'), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}
