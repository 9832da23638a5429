// Labels and splits as CSV (`path,label,split,group`), the format other tools read and write.
// RFC 4180 both ways (csv-parse reads): fields with commas, quotes, line breaks or spaces at
// either end are quoted, quotes inside doubled, so what the studio writes it reads back
// exactly; cells a spreadsheet would run as formulas are written with a leading ' that
// reading takes off again (src-shared/csv-cells.ts). Errors name the line and the column, since a person fixes them in a spreadsheet,
// and never quote the file's text before its header is known to be a labels CSV.
import { parse, type Options } from 'csv-parse/sync';
import { classNameKey } from '../../../../src-shared/class-name';
import { formatCsv, fromSpreadsheetSafe } from '../../../../src-shared/csv-cells';
import type { Split } from '../../../../src-shared/schemas';
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
