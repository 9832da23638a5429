// The runs table's columns and sort, and a run config flattened to dotted fields so a
// comparison can show which ones differ. Pure.
import type { RunSummary } from '../../src-shared/runs';

export type SortKey =
  | 'id'
  | 'status'
  | 'backboneId'
  | 'bestValAcc'
  | 'bestMacroF1'
  | 'testAcc'
  | 'gap'
  | 'epochs'
  | 'trainMs'
  | 'modelBytes';

export const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'id', label: 'Run' },
  { key: 'status', label: 'Status' },
  { key: 'backboneId', label: 'Backbone' },
  { key: 'bestValAcc', label: 'Val acc (kept epoch)' },
  { key: 'bestMacroF1', label: 'Val macro F1' },
  { key: 'testAcc', label: 'Test acc' },
  { key: 'gap', label: 'Train−val gap' },
  { key: 'epochs', label: 'Epochs' },
  { key: 'trainMs', label: 'Wall time' },
  { key: 'modelBytes', label: 'Model size' },
];

/** Missing values sort last in either direction. */
export function sortRuns(runs: RunSummary[], key: SortKey, desc: boolean): RunSummary[] {
  return [...runs].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return desc ? -c : c;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as a cell says it: "off" for a section that is off, "epochs 3, optimizer.lr 0.0001" for a whole section. */
function readable(value: unknown): string {
  if (value === null) return 'off';
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return JSON.stringify(value);
  return Object.entries(flatten(value))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Dotted fields; an object under a path in `whole` stays one field, its parts in one line. */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
  whole: Set<string> = new Set(),
): Record<string, string> {
  if (isRecord(value) && !whole.has(prefix)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, whole);
  } else {
    out[prefix] = readable(value);
  }
  return out;
}

export interface ConfigRow {
  field: string;
  values: string[];
  differs: boolean;
}

export function configRows(configs: unknown[]): ConfigRow[] {
  // A section that is off (null) in one run is compared whole, not as a dozen "—" rows.
  const nulls = new Set(
    configs.flatMap((c) =>
      Object.entries(flatten(c))
        .filter(([, v]) => v === 'off')
        .map(([k]) => k),
    ),
  );
  const flat = configs.map((c) => flatten(c, '', {}, nulls));
  const fields = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const rows = fields.map((field) => {
    const values = flat.map((f) => f[field] ?? '—');
    return { field, values, differs: new Set(values).size > 1 };
  });
  // What differs is what a comparison is about: it comes first.
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}
