// The folder browser the server offers a browser window, which has no picker of its own:
// it shows folders (and files of the asked-for kinds) under a few roots, and only what
// the user may read. Anything chosen through it must lie under one of those roots.
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, extname, join, parse } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { FolderEntry, FolderListing, FolderRoot } from '../../../src-shared/folders';
import { realPath, refuseProjectFile, within } from './access';

/** A folder with more entries than this is listed in part, and says so. */
export const LISTING_MAX = 2000;

/** Where data usually lives on a workstation; each is offered only where it exists. */
const MOUNTS = ['/media', '/mnt', '/srv', '/data'];

/**
 * The home folder, the working folder, the temporary folder, the usual mounts, and the
 * folders `STUDIO_FOLDERS` lists (separated like PATH): the places a person may browse and
 * choose from in the browser.
 */
export function browseRoots(env: NodeJS.ProcessEnv = process.env, home = homedir(), cwd = process.cwd()): FolderRoot[] {
  const extra = (env.STUDIO_FOLDERS ?? '').split(delimiter).filter(Boolean);
  // A server started from / (or a home of /) would offer the whole disk, /etc included:
  // only STUDIO_FOLDERS, set on purpose, may name the top of a disk.
  const implicit: FolderRoot[] = [
    { label: 'Home', path: home },
    { label: 'Working folder', path: cwd },
    { label: 'Temporary files', path: tmpdir() },
    ...MOUNTS.map((path) => ({ label: path, path })),
  ];
  const candidates = [
    ...implicit.map((r) => ({ ...r, implicit: true })),
    ...extra.map((path) => ({ label: path, path, implicit: false })),
  ];
  const seen = new Set<string>();
  const roots: FolderRoot[] = [];
  for (const root of candidates) {
    if (!isReadableFolder(root.path)) continue;
    const real = realPath(root.path);
    if (seen.has(real) || (root.implicit && parse(real).root === real)) continue;
    seen.add(real);
    roots.push({ label: root.label, path: real });
  }
  return roots;
}

/** The root `path` lies under, or a refusal that says how to allow it. */
export function rootOf(path: string, roots: readonly FolderRoot[]): FolderRoot {
  const real = realPath(path);
  const root = roots.find((r) => within(real, r.path));
  if (root) return root;
  const names = roots.map((r) => r.path).join(', ');
  throw new StudioError(
    'path-not-allowed',
    `${path} is outside the folders the studio may open from a browser (${names}). ` +
      'Move the data under one of them, or start the server with STUDIO_FOLDERS=<that folder> to add it.',
  );
}

/** One folder's readable subfolders, then its readable files with one of `extensions`. */
export function listFolder(path: string, extensions: readonly string[], roots: readonly FolderRoot[]): FolderListing {
  const root = rootOf(path, roots);
  const real = realPath(path);
  if (!isReadableFolder(real)) {
    throw new StudioError('not-a-folder', `${path} is not a folder you may read. Pick another folder.`);
  }
  const folders: FolderEntry[] = [];
  const files: FolderEntry[] = [];
  let hidden = 0;
  for (const name of readdirSync(real)) {
    if (name.startsWith('.')) continue;
    const full = join(real, name);
    if (isReadableFolder(full)) {
      folders.push({ name, path: full, kind: 'folder', project: existsSync(join(full, 'studio.db')) });
    } else if (extensions.includes(extname(name).slice(1).toLowerCase())) {
      if (isReadableFile(full)) files.push({ name, path: full, kind: 'file', project: false });
      else hidden++;
    } else if (isFolder(full)) {
      hidden++; // A folder the user may not enter.
    }
  }
  const byName = (a: FolderEntry, b: FolderEntry) => a.name.localeCompare(b.name);
  const entries = [...folders.sort(byName), ...files.sort(byName)];
  const parent = real === root.path ? null : dirname(real);
  return {
    path: real,
    parent,
    entries: entries.slice(0, LISTING_MAX),
    hidden: hidden + Math.max(0, entries.length - LISTING_MAX),
    truncated: entries.length > LISTING_MAX,
  };
}

/** Why `name` cannot name a new folder, or null when it can. */
export function folderNameProblem(name: string): string | null {
  if (!name.trim()) return 'The folder name is empty: type a name.';
  if (name !== name.trim()) return `The folder name "${name}" starts or ends with a space: take it off.`;
  if (/[/\\\0]/.test(name)) return `The folder name "${name}" contains / or \\: a name is one folder, not a path.`;
  if (name === '.' || name === '..') return `"${name}" is not a folder name: type a name.`;
  if (name.startsWith('.')) return `The folder name "${name}" starts with a dot: the browser hides such folders.`;
  if (Buffer.byteLength(name) > 255) return 'The folder name is longer than 255 bytes: shorten it.';
  return null;
}

/**
 * Makes folder `name` inside `parent`, which must be a folder the browser may show (under
 * a root, readable) and not inside a project's own files; returns the new folder's path.
 */
export function makeFolder(parent: string, name: string, roots: readonly FolderRoot[]): string {
  const problem = folderNameProblem(name);
  if (problem) throw new StudioError('invalid-input', `name: ${problem}`);
  rootOf(parent, roots);
  const real = realPath(parent);
  if (!isReadableFolder(real)) throw new StudioError('not-a-folder', `${parent} is not a folder you may read.`);
  const path = join(real, name);
  refuseProjectFile(path, 'New folder');
  if (existsSync(path)) throw new StudioError('invalid-input', `name: "${name}" already exists in ${real}.`);
  try {
    mkdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new StudioError('read-only', `You may not create folders in ${real}. Choose another folder.`);
    throw err;
  }
  return path;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isReadableFolder(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A project's name as the recent list shows it. */
export const folderName = (path: string): string => basename(path) || path;
