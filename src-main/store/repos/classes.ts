// Classes: one row per label. Colours are assigned once, at creation, so a class keeps
// its colour however many classes come and go.
import type { Database } from '../db';
import { sql } from '../statements';
import type { ClassSnapshot } from './edits';

export interface ClassRow {
  id: number;
  name: string;
  color: string;
  count: number;
}

// Okabe-Ito plus Tableau hues: distinguishable for most colour-blind viewers.
const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#f0e442',
  '#7f3c8d',
  '#11a579',
  '#e73f74',
  '#3969ac',
  '#80ba5a',
];

/** The n-th default colour: the palette, then golden-angle hues so later ones stay apart. */
export function defaultColor(n: number): string {
  if (n < PALETTE.length) return PALETTE[n];
  const hue = ((n - PALETTE.length) * 137.508) % 360;
  return hslToHex(hue, 0.62, 0.5);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

export function findClassId(db: Database, name: string): number | null {
  const row = sql(db, 'SELECT id FROM classes WHERE name = ?').get(name) as { id: number } | undefined;
  return row?.id ?? null;
}

/** The class's id, creating it with the next default colour when it is new. */
export function ensureClass(db: Database, name: string, now: number): number {
  const existing = findClassId(db, name);
  if (existing !== null) return existing;
  const { n } = sql(db, 'SELECT count(*) AS n FROM classes').get() as { n: number };
  const info = sql(db, 'INSERT INTO classes (name, color, created_at) VALUES (?, ?, ?)').run(
    name,
    defaultColor(n),
    now,
  );
  if (info.changes !== 1) throw new Error(`Could not create class "${name}"`);
  return Number(info.lastInsertRowid);
}

/** Classes with their images in training (excluded ones not counted). */
export function listClassRows(db: Database): ClassRow[] {
  return sql(
    db,
    `SELECT c.id, c.name, c.color, (SELECT count(*) FROM images i WHERE i.class_id = c.id AND i.excluded = 0) AS count
       FROM classes c ORDER BY c.name COLLATE NOCASE, c.id`,
  ).all() as ClassRow[];
}

export function countClasses(db: Database): number {
  return (sql(db, 'SELECT count(*) AS n FROM classes').get() as { n: number }).n;
}

export function getClass(db: Database, id: number): ClassSnapshot | null {
  return (
    (sql(db, 'SELECT id, name, color, created_at AS createdAt FROM classes WHERE id = ?').get(id) as
      ClassSnapshot | undefined) ?? null
  );
}

/** Every class's id and name, oldest first. */
export function classNames(db: Database): { id: number; name: string }[] {
  return sql(db, 'SELECT id, name FROM classes ORDER BY id').all() as { id: number; name: string }[];
}

/** The id the next created class takes (an undone creation takes the same one again). */
export function nextClassId(db: Database): number {
  return (sql(db, 'SELECT coalesce(max(id), 0) + 1 AS next FROM classes').get() as { next: number }).next;
}
