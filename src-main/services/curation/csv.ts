// The project's labels and splits to and from CSV files, so people can move between the
// studio and other tools. An import is checked whole before anything changes. The format
// itself (reading and writing `path,label,split,group`) is algorithms/labels-csv.ts.
import { readNamedFile } from '../../../src-node-shared/fs/read-file';
import { replaceFileSync } from '../../../src-node-shared/fs/replace-file';
import type { CsvImportOutput } from '../../../src-shared/curation';
import type { Split } from '../../../src-shared/schemas';
import { classNameKey } from '../../../src-shared/class-name';
import { StudioError } from '../../../src-shared/errors';
import type { Database } from '../../store/db';
import { decodeUtf8, EncodingError } from './algorithms/text-encoding';
import { normalizePath } from './algorithms/group-keys';
import { CsvError, readLabelsCsv, writeLabelsCsv, type LabelRow } from './algorithms/labels-csv';
import * as labels from '../labels/labels';
import { classNames } from '../../store/repos/classes';
import { allPaths, curationRows, trainingRows, type CurationRow } from '../../store/repos/images';

/** Images excluded from training are left out, as they are from runs: the file is training data. */
export function exportLabelsCsv(db: Database, file: string): { file: string; rows: number } {
  const rows = trainingRows(db).filter((r) => r.path !== null);
  const text = writeLabelsCsv(rows.map((r) => ({ path: r.path!, label: r.label, split: r.split, group: r.groupKey })));
  try {
    replaceFileSync(file, text);
  } catch (err) {
    // The code, not the message: the message names the temporary file beside it.
    throw new StudioError(
      'invalid-input',
      `Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Choose a folder you can write to.`,
    );
  }
  return { file, rows: rows.length };
}

/** Finds a row's image by exact path, else by a unique stored path ending with it at a folder boundary. */
function pathMatcher(db: Database): (path: string) => number | null {
  const all = allPaths(db);
  const exact = new Map(all.map((p) => [normalizePath(p.path), p.id]));
  return (path) => {
    const p = normalizePath(path);
    const hit = exact.get(p);
    if (hit !== undefined) return hit;
    const ids = new Set(all.filter((a) => normalizePath(a.path).endsWith(`/${p}`)).map((a) => a.id));
    return ids.size === 1 ? [...ids][0] : null;
  };
}

function readRows(file: string): { rows: LabelRow[]; header: string[] } {
  const bytes = readNamedFile(file);
  // Neither an encoding nor a syntax error quotes the file's text: it may be any file on disk.
  try {
    return readLabelsCsv(decodeUtf8(bytes), { unknownColumns: 'refuse' });
  } catch (err) {
    if (err instanceof CsvError || err instanceof EncodingError) {
      throw new StudioError(
        'invalid-input',
        `${file}: ${err.message}. Nothing was imported; fix the file and import again.`,
      );
    }
    throw err;
  }
}

/** A label's class: the one of that exact name, else the one whose normalised name is the label (names stored before the rule). */
function classMatcher(db: Database): (label: string) => number | undefined {
  const all = classNames(db);
  const exact = new Map(all.map((c) => [c.name, c.id]));
  const byKey = new Map<string, number>();
  for (const c of all) if (!byKey.has(classNameKey(c.name))) byKey.set(classNameKey(c.name), c.id);
  return (label) => exact.get(label) ?? byKey.get(classNameKey(label));
}

/**
 * Applies a CSV's labels and splits as one undoable edit. A column the file lacks leaves that
 * field as it is; an empty value clears it. Unknown paths or classes fail the whole import.
 */
export function importLabelsCsv(db: Database, file: string, now: number): CsvImportOutput {
  const { rows, header } = readRows(file);
  const find = pathMatcher(db);
  const classOf = classMatcher(db);
  const current = new Map<number, CurationRow>(curationRows(db).map((r) => [r.id, r]));
  const issues: string[] = [];
  const states: { imageId: number; classId: number | null; split: Split | null; groupKey?: string | null }[] = [];
  for (const row of rows) {
    const id = find(row.path);
    if (id === null) {
      issues.push(`line ${row.line}: no image in the project at '${row.path}'`);
      continue;
    }
    const classId = row.label === null ? null : classOf(row.label);
    if (classId === undefined)
      issues.push(`line ${row.line}: no class named '${row.label}' (create it first, or fix the label)`);
    const now_ = current.get(id)!;
    states.push({
      imageId: id,
      classId: header.includes('label') ? (classId ?? null) : now_.classId,
      split: header.includes('split') ? row.split : now_.split,
      ...(header.includes('group') ? { groupKey: row.group } : {}),
    });
  }
  if (issues.length) {
    const shown = issues.slice(0, 20).join('; ') + (issues.length > 20 ? `; and ${issues.length - 20} more` : '');
    throw new StudioError('invalid-input', `${file}: ${shown}. Nothing was imported; fix the file and import again.`);
  }
  const out = labels.setStates(db, states, now, `Imported labels and splits from ${file} (${rows.length} rows)`);
  const differs = (s: (typeof states)[number], c: CurationRow) =>
    c.classId !== s.classId || c.split !== s.split || (s.groupKey !== undefined && c.groupKey !== s.groupKey);
  const changed = out.editId === null ? 0 : states.filter((s) => differs(s, current.get(s.imageId)!)).length;
  return { ...out, rows: rows.length, changed };
}
