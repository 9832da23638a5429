// Labels and splits as CSV (`path,label,split,group`), the format other tools read and write.
// RFC 4180 both ways (csv-parse reads): fields with commas, quotes, line breaks or spaces at
// either end are quoted, quotes inside doubled, so what the studio writes it reads back
// exactly; cells a spreadsheet would run as formulas are written with a leading ' that
// reading takes off again (src-shared/csv-cells.ts). Errors name the line and the column, since a person fixes them in a spreadsheet,
// and never quote the file's text before its header is known to be a labels CSV.
import { parse, type Options } from 'csv-parse/sync';
import { classNameKey } from '../../../src-shared/class-name';
import { formatCsv, fromSpreadsheetSafe } from '../../../src-shared/csv-cells';
import type { Split } from '../../../src-shared/schemas';
import { readFileSync } from 'node:fs';
import { replaceFileSync } from '../../../src-node-shared/fs/replace-file';
import type { CsvImportOutput } from '../../../src-shared/curation';
import { StudioError } from '../../../src-shared/errors';
import type { Database } from '../../store/db';
import { decodeUtf8, EncodingError } from './text-encoding';
import { normalizePath } from './group-keys';
import * as labels from '../labels/labels';
import { classNames } from '../../store/repos/classes';
import { allPaths, curationRows, trainingRows, type CurationRow } from '../../store/repos/images';

export { formatCsv };

export interface CsvIssue {
  /** 1-based line in the file where the problem is. */
  line: number;
  column?: string;
  message: string;
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(readonly issues: CsvIssue[]) {
    const shown = issues
      .slice(0, 10)
      .map((i) => (i.column ? `line ${i.line}, column ${i.column}: ${i.message}` : `line ${i.line}: ${i.message}`));
    if (issues.length > 10) shown.push(`... and ${issues.length - 10} more`);
    super(shown.join('\n'));
  }
}

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
  /** Per field: whether it was quoted or escaped (as the studio writes it). Such text is kept exactly; other text may be padded by hand. */
  quoted: boolean[];
}

/** csv-parse's codes, as what the reader expected there; the field's content is never quoted back. */
const EXPECTED: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (expected a closing ")',
  CSV_INVALID_CLOSING_QUOTE: 'expected a comma or the end of the line after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (expected the whole field quoted, with the quote doubled)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'expected a comma or the end of the line after a closing quote',
};

/** Offsets where each line starts; a line ends at \r\n, \n or a lone \r. */
function lineStarts(buf: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a || (buf[i] === 0x0d && buf[i + 1] !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}

/** The line of the first byte at or after `offset` that is not a line break (blank lines are skipped). */
function lineOf(buf: Uint8Array, starts: number[], offset: number): number {
  let at = offset;
  while (at < buf.length && (buf[at] === 0x0a || buf[at] === 0x0d)) at++;
  let [lo, hi] = [0, starts.length - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

type Cell = { value: string; quoted: boolean };

/**
 * Splits CSV (RFC 4180, by csv-parse) into records: quoted fields with commas, doubled quotes
 * and line breaks; CRLF, LF or CR line ends; blank lines skipped; spaces outside quotes
 * dropped. A BOM is dropped. A syntax
 * error names its line and field, never the text there (the file may be anything on disk).
 */
export function parseCsv(text: string | Uint8Array): CsvRecord[] {
  let buf =
    typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  const ends: number[] = [0];
  let cells: Cell[][];
  try {
    const options: Options = {
      relax_column_count: true,
      skip_empty_lines: true,
      // Spaces around a field (around its quotes too) were typed, not meant; quoted text stays exact.
      trim: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      // Each field as {value, quoted}: csv-parse's types say string, the records hold cells.
      cast: (value, ctx) => {
        const unescaped = fromSpreadsheetSafe(value);
        return { value: unescaped, quoted: ctx.quoting || unescaped !== value } as unknown as string;
      },
      on_record: (record, ctx) => (ends.push(ctx.bytes), record),
    };
    cells = parse(buf, options) as unknown as Cell[][];
  } catch (err) {
    const e = err as { code?: string; index?: number };
    const line = lineOf(buf, lineStarts(buf), ends[ends.length - 1]!);
    const what = EXPECTED[e.code ?? ''] ?? `not valid CSV (${e.code ?? 'unknown error'})`;
    throw new CsvError([{ line, column: e.index !== undefined ? `${e.index + 1}` : undefined, message: what }]);
  }
  const starts = lineStarts(buf);
  return cells.map((record, i) => ({
    line: lineOf(buf, starts, ends[i]!),
    fields: record.map((c) => c.value),
    quoted: record.map((c) => c.quoted),
  }));
}

export interface LabelRow {
  path: string;
  label: string | null;
  split: Split | null;
  group: string | null;
  /** 1-based line in the file (0 for rows not read from a file). */
  line: number;
  /** Any other columns, by header name: a group key can come from one of them. */
  extra: Record<string, string>;
}

const SPLIT_NAMES: Record<string, Split> = {
  train: 'train',
  val: 'val',
  test: 'test',
  validation: 'val',
  valid: 'val',
};
const KNOWN = ['path', 'label', 'split', 'group'];

export interface LabelsCsvOptions {
  /** 'keep' (the default) passes other columns on as `extra`; 'refuse' makes them an error, as for an import, where a misspelt column would otherwise be ignored. */
  unknownColumns?: 'keep' | 'refuse';
}

/** The header's names, matched case-insensitively after trimming. Nothing of the file is quoted in an error. */
function readHeader(first: CsvRecord | undefined, o: LabelsCsvOptions): string[] {
  if (!first)
    throw new CsvError([{ line: 1, message: 'the file is empty; expected a header such as path,label,split,group' }]);
  const header = first.fields.map((h) => h.trim().toLowerCase());
  const line = first.line;
  if (!header.includes('path'))
    throw new CsvError([
      { line, message: `no 'path' column in the header; expected a header such as path,label,split,group` },
    ]);
  const twice = header.findIndex((h, i) => header.indexOf(h) !== i);
  if (twice >= 0)
    throw new CsvError([
      {
        line,
        column: KNOWN.includes(header[twice]) ? header[twice] : `${twice + 1}`,
        message: 'the column appears twice in the header',
      },
    ]);
  if (o.unknownColumns === 'refuse') {
    const unknown = header.map((h, i) => (KNOWN.includes(h) ? 0 : i + 1)).filter((i) => i > 0);
    if (unknown.length) {
      throw new CsvError([
        {
          line,
          message: `header column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not one of path, label, split, group (matched ignoring case); rename or remove ${unknown.length > 1 ? 'them' : 'it'}`,
        },
      ]);
    }
  }
  return header;
}

function readRow(record: CsvRecord, header: string[], issues: CsvIssue[]): LabelRow | null {
  const { line, fields, quoted } = record;
  if (fields.length !== header.length) {
    issues.push({ line, message: `${fields.length} fields, but the header has ${header.length}` });
    return null;
  }
  // Quoted text is exact (the writer quotes padded values); unquoted text was typed, so trimmed.
  const value = (i: number) => (quoted[i] ? fields[i] : fields[i].trim());
  const get = (name: string) => {
    const i = header.indexOf(name);
    return i < 0 ? '' : value(i);
  };
  const path = get('path');
  if (!path) issues.push({ line, column: 'path', message: 'the path is empty' });
  const rawSplit = get('split').trim();
  const split = rawSplit ? (SPLIT_NAMES[rawSplit.toLowerCase()] ?? null) : null;
  if (rawSplit && !split)
    issues.push({ line, column: 'split', message: `'${rawSplit}' is not one of train, val, test` });
  const extra: Record<string, string> = {};
  header.forEach((h, i) => {
    if (!KNOWN.includes(h)) extra[h] = fields[i];
  });
  // Class names are compared in their normalised form (src-shared/class-name.ts).
  return { path, label: classNameKey(get('label')) || null, split, group: get('group') || null, line, extra };
}

/** A labels CSV's header (lowercased) and rows: a header naming at least `path`, then one row per image; all problems at once. */
export function readLabelsCsv(
  text: string | Uint8Array,
  o: LabelsCsvOptions = {},
): { header: string[]; rows: LabelRow[] } {
  const [first, ...records] = parseCsv(text);
  const header = readHeader(first, o);
  const issues: CsvIssue[] = [];
  const rows: LabelRow[] = [];
  const firstLine = new Map<string, number>();
  for (const record of records) {
    const row = readRow(record, header, issues);
    if (!row) continue;
    const before = firstLine.get(row.path);
    if (row.path && before !== undefined)
      issues.push({ line: row.line, column: 'path', message: `the path already appears on line ${before}` });
    else firstLine.set(row.path, row.line);
    rows.push(row);
  }
  if (issues.length) throw new CsvError(issues);
  return { header, rows };
}

/** The rows of a labels CSV (see `readLabelsCsv`). */
export function parseLabelsCsv(text: string | Uint8Array, o: LabelsCsvOptions = {}): LabelRow[] {
  return readLabelsCsv(text, o).rows;
}

/** Writes `path,label,split,group`; a missing value is an empty field. */
export function writeLabelsCsv(rows: ReadonlyArray<Pick<LabelRow, 'path' | 'label' | 'split' | 'group'>>): string {
  return formatCsv([KNOWN, ...rows.map((r) => [r.path, r.label ?? '', r.split ?? '', r.group ?? ''])]);
}

// The project's labels and splits to and from CSV files, so people can move between the
// studio and other tools. An import is checked whole before anything changes.

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
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new StudioError(
      'not-found',
      `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Check the path.`,
    );
  }
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
