// Walks an import folder and says what each image file is: its label (class folder) and
// split (top-level train/val/test). Links are followed while they lead to somewhere under
// the chosen folder (or another folder the person chose); loops, dead ends and links that
// lead elsewhere are recorded as problems instead of hanging the walk or reading outside it.
import type { Dirent } from 'node:fs';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { checkClassName } from '../../../src-shared/class-name';
import { within } from '../folders/access';
import type { Split } from '../../../src-shared/schemas';
import { IMAGE_EXTENSIONS, reasons, type FileProblem } from './reasons';

export interface ScanEntry {
  path: string;
  label: string | null;
  split: Split | null;
}

export type PathProblem = FileProblem & { path: string };

export interface ScanResult {
  entries: ScanEntry[];
  problems: PathProblem[];
}

export interface ScanOptions {
  /** Real paths of folders never to enter (the project's own folder, with its thumbnails). */
  skip?: ReadonlySet<string>;
  /** Whether a real path outside the root may be read (a folder chosen this session); by default none may. */
  allowed?: (real: string) => boolean;
  isCancelled?: () => boolean;
  onFound?: (count: number) => void;
}

const SPLIT_DIRS: Record<string, Split> = { train: 'train', val: 'val', validation: 'val', test: 'test' };
const SPLIT_ORDER: Split[] = ['train', 'val', 'test'];

function splitOf(folder: string): Split | null {
  const name = folder.toLowerCase();
  return Object.hasOwn(SPLIT_DIRS, name) ? SPLIT_DIRS[name] : null;
}

interface Walk {
  root: string;
  /** The root with its links resolved: what a link's target must lie under. */
  realRoot: string;
  opts: ScanOptions;
  visited: Set<string>;
  entries: ScanEntry[];
  problems: PathProblem[];
  splitMode: boolean;
}

export async function scanFolder(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const real = await realpath(root);
  const top = await readdir(root, { withFileTypes: true });
  // train/ val/ test/ at the top level mean the dataset comes already split.
  const splitMode = top.some((d) => (d.isDirectory() || d.isSymbolicLink()) && splitOf(d.name) !== null);
  const walk: Walk = { root, realRoot: real, opts, visited: new Set([real]), entries: [], problems: [], splitMode };
  await walkDir(walk, root, [real]);
  return { entries: walk.entries, problems: walk.problems };
}

/** The label and split a path gets from where it sits under the root. */
export function placeOf(root: string, path: string, splitMode: boolean): Omit<ScanEntry, 'path'> {
  let parts = relative(root, path).split(sep);
  const split = splitMode && parts.length > 1 ? splitOf(parts[0]) : null;
  if (split) parts = parts.slice(1);
  // Deeper folders under a class folder keep that class. The name is normalised as every
  // class name is (enterDir has refused folders whose name cannot be one).
  const checked = parts.length >= 2 ? checkClassName(parts[0]) : null;
  return { label: checked?.ok ? checked.name : null, split };
}

/** Why a folder's name cannot be the class of the images in it, or null when it can (or is no class folder). */
function badClassFolder(w: Walk, path: string): string | null {
  const parts = relative(w.root, path).split(sep);
  const classLevel = w.splitMode && splitOf(parts[0]) !== null ? 2 : 1;
  if (parts.length !== classLevel) return null;
  const checked = checkClassName(parts[classLevel - 1]);
  return checked.ok ? null : checked.message;
}

async function walkDir(w: Walk, dir: string, ancestors: string[]): Promise<void> {
  if (w.opts.isCancelled?.()) return;
  let children: Dirent[];
  try {
    children = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    w.problems.push({ path: dir, ...reasons.unreadableFolder((err as NodeJS.ErrnoException).code) });
    return;
  }
  const rank = (name: string) => {
    if (!w.splitMode || dir !== w.root) return 0;
    const split = splitOf(name);
    return split ? SPLIT_ORDER.indexOf(split) : SPLIT_ORDER.length;
  };
  // Sorted, so "the first copy" is well defined; train before val before test, so a copy
  // found in two splits stays where it trains.
  children.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    // Dot files are system clutter (.DS_Store, macOS "._x.jpg" resource forks), not images.
    if (child.name.startsWith('.')) continue;
    const path = join(dir, child.name);
    if (child.isSymbolicLink()) await visitLink(w, path, ancestors);
    else if (child.isDirectory()) await enterDir(w, path, join(ancestors[ancestors.length - 1], child.name), ancestors);
    else if (child.isFile()) addFile(w, path);
  }
}

async function enterDir(w: Walk, path: string, real: string, ancestors: string[]): Promise<void> {
  if (w.opts.skip?.has(real)) return;
  const badName = badClassFolder(w, path);
  if (badName) {
    w.problems.push({
      path,
      kind: 'unreadable',
      reason: `This folder's name cannot be a class name, so nothing in it was imported: ${badName} Rename the folder, then import again.`,
    });
    return;
  }
  if (ancestors.includes(real)) {
    w.problems.push({ path, ...reasons.linkLoop(real) });
    return;
  }
  // A second link to a folder already walked would only repeat its files.
  if (w.visited.has(real)) return;
  w.visited.add(real);
  await walkDir(w, path, [...ancestors, real]);
}

async function visitLink(w: Walk, path: string, ancestors: string[]): Promise<void> {
  // A dead link named notes.txt is no business of an image import; one that could be
  // an image or a folder is.
  const ext = extname(path).toLowerCase();
  const mayMatter = !ext || IMAGE_EXTENSIONS.has(ext);
  try {
    const target = await stat(path);
    const real = await realpath(path);
    if (!within(real, w.realRoot) && !w.opts.allowed?.(real)) {
      if (target.isDirectory() || mayMatter) w.problems.push({ path, ...reasons.linkOutside(real, w.root) });
      return;
    }
    if (target.isDirectory()) await enterDir(w, path, real, ancestors);
    else if (target.isFile()) addFile(w, path);
  } catch (err) {
    if (!mayMatter) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') w.problems.push({ path, ...reasons.selfLink() });
    else if (code === 'ENOENT') w.problems.push({ path, ...reasons.brokenLink(await readlink(path).catch(() => '?')) });
    else w.problems.push({ path, ...reasons.unreadable(code) });
  }
}

function addFile(w: Walk, path: string): void {
  if (!IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return;
  w.entries.push({ path, ...placeOf(w.root, path, w.splitMode) });
  w.opts.onFound?.(w.entries.length);
}
