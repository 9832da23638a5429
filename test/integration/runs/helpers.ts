// A small project for run tests: generated images written to disk and recorded in the
// store as an import would record them (class, split, path, content hash).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openProject, type Project } from '../../../src-main/services/project/project';
import { ensureClass } from '../../../src-main/store/repos/classes';
import { insertImage, upsertPath } from '../../../src-main/store/repos/images';
import { createImport, finishImport } from '../../../src-main/store/repos/imports';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../../src-main/store/db';
import type { RunEvents } from '../../../src-main/services/runs/run-service';
import { dispatch } from '../../../src-main/rpc/dispatcher';
import type { Studio } from '../../../src-main/services/studio';
import type { ServerMessage } from '../../../src-shared/rpc';
import type { RunEpochEvent, RunStatusEvent, RunsProgress } from '../../../src-shared/runs';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `studio-${prefix}-`));
}

/** Class k: stripes in direction k (rows, columns, diagonals), with per-image jitter. */
export async function writeImage(path: string, k: number, i: number): Promise<void> {
  const w = 40;
  const px = Buffer.alloc(w * w * 3);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const t = [y, x, x + y, x - y + w][k % 4]!;
      const v = t % 10 < 4 + (i % 3) ? 215 - i : 35 + i;
      px.set([v, (v + 40 * k) % 256, v], (y * w + x) * 3);
    }
  }
  await sharp(px, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toFile(path);
}

export interface Group {
  className: string | null;
  split: Split | null;
  count: number;
}

/** Rows and cols in each split: `train`, `val` and `test` images of each class; a split of 0 is left out. */
export function rowsAndCols(train: number, val: number, test: number): Group[] {
  const splits = [
    ['train', train],
    ['val', val],
    ['test', test],
  ] as const;
  return splits.flatMap(([split, count]) =>
    count > 0 ? (['rows', 'cols'] as const).map((className) => ({ className, split, count })) : [],
  );
}

export interface Made {
  dir: string;
  imagesDir: string;
  project: Project;
  files: Array<{ path: string; hash: string; imageId: number; className: string | null; split: Split | null }>;
}

/** Records a 40 px PNG written by writeImage as an import records it: its hash, class, split and path. */
export function recordImage(
  db: Database,
  importId: number,
  path: string,
  className: string | null,
  split: Split | null,
): { hash: string; imageId: number } {
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  const classId = className ? ensureClass(db, className, Date.now()) : null;
  const st = statSync(path);
  const imageId = insertImage(db, {
    hash,
    classId,
    split,
    width: 40,
    height: 40,
    format: 'png',
    bytes: st.size,
    addedAt: Date.now(),
    importId,
  });
  upsertPath(db, path, imageId, { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) }, importId);
  return { hash, imageId };
}

/** Writes the images under <dir>/images/<split>/<class>/ and records them; returns the open project. */
export async function makeProject(groups: Group[], dir = tempDir('runs')): Promise<Made> {
  const imagesDir = join(dir, 'images');
  const project = openProject(join(dir, 'project'), { create: true });
  const db = project.db;
  const importId = createImport(db, imagesDir, process.pid, Date.now());
  const classes = [...new Set(groups.map((g) => g.className).filter((c): c is string => c !== null))].sort();
  const files: Made['files'] = [];
  let n = 0;
  for (const g of groups) {
    const folder = join(imagesDir, g.split ?? 'none', g.className ?? 'unlabeled');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < g.count; i++, n++) {
      const path = join(folder, `${n}.png`);
      await writeImage(path, g.className ? classes.indexOf(g.className) : 3, n);
      files.push({
        path,
        ...recordImage(db, importId, path, g.className, g.split),
        className: g.className,
        split: g.split,
      });
    }
  }
  finishImport(db, importId, 'done', Date.now(), null);
  return { dir, imagesDir, project, files };
}

export interface Recorded {
  events: RunEvents;
  statuses: RunStatusEvent[];
  epochs: RunEpochEvent[];
  progress: RunsProgress[];
}

export function recorder(onEpoch?: (e: RunEpochEvent) => void): Recorded {
  const r: Recorded = {
    statuses: [],
    epochs: [],
    progress: [],
    events: {
      status: (s) => void r.statuses.push(s),
      epoch: (e) => (r.epochs.push(e), onEpoch?.(e)),
      progress: (p) => void r.progress.push(p),
    },
  };
  return r;
}

/** Calls `service.method` on the studio as a client would, through the dispatcher; a refusal throws its message. */
export function caller(studio: Studio) {
  let id = 0;
  return async (service: string, method: string, input: unknown = {}) => {
    const out = (await dispatch(studio, { kind: 'call', id: ++id, service, method, input })) as Extract<
      ServerMessage,
      { kind: 'result' }
    >;
    if (!out.ok) throw new Error(`${service}.${method}: ${out.error.message}`);
    return out.value as any;
  };
}
