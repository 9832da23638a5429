// Labels and splits as CSV (`path,label,split,group`), the format other tools read and write.
// A small RFC 4180 reader and writer: fields with commas, quotes or line breaks are quoted,
// quotes inside doubled. Errors name the line and the column, since a person fixes them in a
// spreadsheet.
import type { Split } from '../../../src-shared/schemas';

export interface CsvIssue {
  /** 1-based line in the file where the problem is. */
  line: number;
  column?: string;
  message: string;
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(readonly issues: CsvIssue[]) {
    const shown = issues.slice(0, 10).map((i) => (i.column ? `line ${i.line}, column ${i.column}: ${i.message}` : `line ${i.line}: ${i.message}`));
    if (issues.length > 10) shown.push(`... and ${issues.length - 10} more`);
    super(shown.join('\n'));
  }
}

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

/** Reads one quoted field starting at the opening quote; returns its text and where it ended. */
function readQuoted(src: string, from: number, line: number): { text: string; next: number; lines: number } {
  let text = '';
  let lines = 0;
  let i = from + 1;
  for (;;) {
    if (i >= src.length) throw new CsvError([{ line, message: 'a quoted field is never closed (a " is missing)' }]);
    if (src[i] === '"' && src[i + 1] === '"') {
      text += '"';
      i += 2;
    } else if (src[i] === '"') {
      break;
    } else {
      if (src[i] === '\n') lines++;
      text += src[i++];
    }
  }
  i++;
  if (i < src.length && !',\r\n'.includes(src[i])) {
    throw new CsvError([{ line: line + lines, message: `unexpected text after a closing quote: '${src.slice(i, i + 10)}'` }]);
  }
  return { text, next: i, lines };
}

/** Splits CSV text into records. A byte-order mark, blank lines and a final line break are ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    const blank = fields.length === 0 && field === '' && !quoted;
    fields.push(field);
    if (!blank) records.push({ line: start, fields });
    [fields, field, quoted] = [[], '', false];
  };
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === '"' && field === '' && !quoted) {
      const q = readQuoted(src, i, line);
      [field, quoted, i] = [q.text, true, q.next];
      line += q.lines;
    } else if (c === ',') {
      fields.push(field);
      [field, quoted] = ['', false];
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      start = ++line;
    } else if (c === '"') {
      throw new CsvError([{ line, message: `a quote inside an unquoted field ('${field}"'): quote the whole field and double the quote` }]);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) || field !== field.trim() ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows to CSV text, one record per line ending in \n. */
export function formatCsv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((r) => r.map(quote).join(',') + '\n').join('');
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

const SPLIT_NAMES: Record<string, Split> = { train: 'train', val: 'val', test: 'test', validation: 'val', valid: 'val' };
const KNOWN = ['path', 'label', 'split', 'group'];

function readHeader(first: CsvRecord | undefined): string[] {
  if (!first) throw new CsvError([{ line: 1, message: 'the file is empty; expected a header such as path,label,split,group' }]);
  const header = first.fields.map((h) => h.trim().toLowerCase());
  if (!header.includes('path')) throw new CsvError([{ line: first.line, message: `no 'path' column in the header (${first.fields.join(',')})` }]);
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice) throw new CsvError([{ line: first.line, column: twice, message: 'the column appears twice in the header' }]);
  return header;
}

function readRow(record: CsvRecord, header: string[], issues: CsvIssue[]): LabelRow | null {
  const { line, fields } = record;
  if (fields.length !== header.length) {
    issues.push({ line, message: `${fields.length} fields, but the header has ${header.length}` });
    return null;
  }
  const get = (name: string) => {
    const i = header.indexOf(name);
    return i < 0 ? '' : fields[i].trim();
  };
  const path = get('path');
  if (!path) issues.push({ line, column: 'path', message: 'the path is empty' });
  const rawSplit = get('split');
  const split = rawSplit ? (SPLIT_NAMES[rawSplit.toLowerCase()] ?? null) : null;
  if (rawSplit && !split) issues.push({ line, column: 'split', message: `'${rawSplit}' is not one of train, val, test` });
  const extra: Record<string, string> = {};
  header.forEach((h, i) => {
    if (!KNOWN.includes(h)) extra[h] = fields[i];
  });
  return { path, label: get('label') || null, split, group: get('group') || null, line, extra };
}

/** Reads a labels CSV: a header naming at least `path`, then one row per image; all problems at once. */
export function parseLabelsCsv(text: string): LabelRow[] {
  const [first, ...records] = parseCsv(text);
  const header = readHeader(first);
  const issues: CsvIssue[] = [];
  const rows: LabelRow[] = [];
  const firstLine = new Map<string, number>();
  for (const record of records) {
    const row = readRow(record, header, issues);
    if (!row) continue;
    const before = firstLine.get(row.path);
    if (row.path && before !== undefined) issues.push({ line: row.line, column: 'path', message: `'${row.path}' already appears on line ${before}` });
    else firstLine.set(row.path, row.line);
    rows.push(row);
  }
  if (issues.length) throw new CsvError(issues);
  return rows;
}

/** Writes `path,label,split,group`; a missing value is an empty field. */
export function writeLabelsCsv(rows: ReadonlyArray<Pick<LabelRow, 'path' | 'label' | 'split' | 'group'>>): string {
  return formatCsv([KNOWN, ...rows.map((r) => [r.path, r.label ?? '', r.split ?? '', r.group ?? ''])]);
}
