// Group keys: what ties images that must stay in the same split (one patient's scans, one
// product's photos, one burst from a camera). Each extractor is a pure function of a path,
// built once from the user's choice; null means "no group": the image stands alone.

export type GroupKey = (path: string) => string | null;

/** Forward slashes, no leading './': paths from Windows, CSV files and the store compare equal. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * The name of one folder on the path (relative to the import root). `level` 0 is the first
 * folder under the root, 1 the next; -1 is the file's own folder, -2 the one above it.
 */
export function folderGroup(level: number): GroupKey {
  if (!Number.isInteger(level)) throw new Error(`folder level must be a whole number, got ${level}`);
  return (path) => {
    const folders = normalizePath(path).split('/').filter(Boolean).slice(0, -1);
    const name = level < 0 ? folders[folders.length + level] : folders[level];
    return name ?? null;
  };
}

/**
 * The first capture group (or the one named `group`) of a regular expression matched against
 * the file name, e.g. `^(P\d+)_` for `P0012_scan3.png` -> `P0012`.
 */
export function patternGroup(pattern: string): GroupKey {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    throw new Error(`group pattern '${pattern}' is not a valid regular expression: ${(err as Error).message}`);
  }
  // Matching the empty alternative reveals how many groups the pattern has.
  const groups = new RegExp(`${pattern}|`).exec('')!.length - 1;
  if (groups === 0) {
    throw new Error(
      `group pattern '${pattern}' has no capture group: put the part that names the group in parentheses, e.g. ^(P\\d+)_`,
    );
  }
  return (path) => {
    const name = normalizePath(path).split('/').pop() ?? '';
    const m = re.exec(name);
    const value = m ? (m.groups?.group ?? m[1]) : undefined;
    return value ? value : null;
  };
}

/**
 * A column of a CSV file (rows from csv.ts, header -> value) keyed by its `path` column. The
 * CSV usually holds paths relative to some folder while the studio knows them absolute or
 * relative to the import root, so a path also matches a CSV path it ends with (at a folder
 * boundary); the longest such match wins.
 */
export function csvGroup(
  rows: ReadonlyArray<Readonly<Record<string, string>>>,
  column: string,
  pathColumn = 'path',
): GroupKey {
  if (rows.length > 0 && !(column in rows[0])) throw new Error(`the CSV has no column '${column}'`);
  const byName = new Map<string, Array<{ path: string; group: string }>>();
  for (const row of rows) {
    const path = normalizePath(row[pathColumn] ?? '');
    const group = (row[column] ?? '').trim();
    if (!path || !group) continue;
    const name = path.split('/').pop()!;
    const list = byName.get(name);
    if (list) list.push({ path, group });
    else byName.set(name, [{ path, group }]);
  }
  return (path) => {
    const p = normalizePath(path);
    const candidates = byName.get(p.split('/').pop()!) ?? [];
    const hits = candidates.filter((c) => p === c.path || p.endsWith(`/${c.path}`));
    hits.sort((a, b) => b.path.length - a.path.length);
    return hits[0]?.group ?? null;
  };
}
