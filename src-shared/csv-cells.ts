// Cells of the CSV files the studio writes (labels, predictions), made safe to open in a
// spreadsheet. A cell starting with =, +, -, @, tab or CR is a formula to Excel, LibreOffice
// and Sheets (`=HYPERLINK("http://…","click")` in a class name runs when clicked), so such a
// cell is written with a leading ' (OWASP's advice), which spreadsheets show as text.
//
// The studio reads its own files back, so the prefix must come off again exactly. Reading
// takes one ' off only where one of those characters or another ' follows it, and writing
// adds one to every value reading would change: "-x" is written '-x, "'=y" is ''=y, "''" is
// ''', and "'plain" (nothing to guard) is written and read as it is.

/** What makes a spreadsheet read a cell as a formula. */
const FORMULA = /^[=+\-@\t\r]/;
/** A formula, or a value reading would take a ' off. */
const GUARDED = /^['=+\-@\t\r]/;

/** `value` as it is written into a cell: with a leading ' where a spreadsheet would see a formula, or reading would see an escape. */
export function spreadsheetSafe(value: string): string {
  return FORMULA.test(value) || fromSpreadsheetSafe(value) !== value ? `'${value}` : value;
}

/** The value a cell written by `spreadsheetSafe` holds: one leading ' fewer where it guards something. */
export function fromSpreadsheetSafe(cell: string): string {
  return cell.startsWith("'") && GUARDED.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** One field: spreadsheet-safe, then quoted (RFC 4180) where it holds a comma, quote or line break, or spaces at an end. */
export function csvField(value: string): string {
  const cell = spreadsheetSafe(value);
  // Spaces at either end are quoted too, since unquoted fields are read trimmed.
  return /[",\r\n]/.test(cell) || cell !== cell.trim() || cell.startsWith('\ufeff')
    ? `"${cell.replace(/"/g, '""')}"`
    : cell;
}

/** Rows to CSV text, one record per line ending in \n. */
export function formatCsv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((r) => r.map(csvField).join(',') + '\n').join('');
}
