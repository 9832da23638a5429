// Shared by the store probes: generated image folders, the CLI as a child process with its
// output, and checks on what a project holds (rows, thumbnails, integrity).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ImportService } from '../../../src-main/services/import/import-service';
import { openProject } from '../../../src-main/services/project/project';
import { makeImage, writeTree } from '../../fixtures/images';
import { studioArgv } from '../../fixtures/children';

const repo = join(import.meta.dirname, '..', '..', '..');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `studio-${prefix}-`));
}

/** n distinct small PNGs in two class folders; seeds from `first` on, so folders never share content. */
export async function imageFolder(dir: string, n: number, first: number, side = 64): Promise<string[]> {
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < n; i++)
    tree[`c${i % 2}/${String(first + i).padStart(6, '0')}.png`] = await makeImage(first + i, 'png', side, side);
  writeTree(dir, tree);
  return Object.keys(tree).map((p) => join(dir, p));
}

/** Imports `data` into a new project at `dir` in this process (no CLI start-up), and closes it. */
export async function importHere(dir: string, data: string): Promise<void> {
  const project = openProject(dir, { create: true });
  const importer = new ImportService(project, () => {});
  importer.start({ folder: data });
  await importer.idle();
  project.close();
}

/** The split the kill probe runs and checks: 20 % validation, 20 % test, 3 folds, every image reassigned. */
export const splitOptions = (seed: number) => ({ val: 0.2, test: 0.2, seed, folds: 3, keepPredefined: false });

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function studioCli(...args: string[]): CliRun {
  const child = spawn(process.execPath, studioArgv(...args), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function studioRun(...args: string[]) {
  return studioCli(...args).done;
}

/** A stack trace printed to the user: "    at fn (file:line:col)". */
export const STACK = /^\s+at .+:\d+:\d+\)?$/m;

/** Runs `fn` on a fresh connection that never writes. */
export function peek<T>(projectDir: string, fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(join(projectDir, 'studio.db'), { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export const n = (db: BetterSqlite3.Database, sql: string, ...params: unknown[]) =>
  (db.prepare(sql).get(...params) as { n: number }).n;

/** What a project's thumbnails and rows say about each other. */
export function thumbState(projectDir: string): { orphans: string[]; missing: string[]; staged: string[] } {
  const thumbs = join(projectDir, 'thumbs');
  const onDisk = new Set<string>();
  for (const sub of readdirSync(thumbs)) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const name of readdirSync(join(thumbs, sub))) onDisk.add(name.replace(/\.jpg$/, ''));
  }
  const hashes = peek(projectDir, (db) =>
    (db.prepare('SELECT hash FROM images').all() as { hash: string }[]).map((r) => r.hash),
  );
  const stored = new Set(hashes);
  const tmp = join(thumbs, '.tmp');
  return {
    orphans: [...onDisk].filter((h) => !stored.has(h)),
    missing: hashes.filter((h) => !onDisk.has(h)),
    staged: existsSync(tmp) ? readdirSync(tmp) : [],
  };
}

export function integrity(projectDir: string): string {
  return peek(projectDir, (db) => db.pragma('integrity_check', { simple: true }) as string);
}

/** "  500 of 500 files: 500 new images, ..." -> 500 */
export function newImagesIn(summary: string): number {
  const m = /: (\d+) new images?,/.exec(summary);
  if (!m) throw new Error(`no summary in: ${summary}`);
  return Number(m[1]);
}
