// The folders slice of the contract: where a person may browse, what they chose, and the
// desktop's own picker where the door has one (Electron passes it in; the server has none).
import type { ParsedInput, PathRule, Slice } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import type { FolderListing, FolderRoot, NativePickInput } from '../../../src-shared/folders';
import { PathAccess, refuseProjectFile } from './access';
import { browseRoots, listFolder, makeFolder, rootOf } from './browse';
import { RecentProjects } from './recents';

/** The desktop's open/save dialog: a path, or null when the person cancelled. */
export type NativePicker = (input: NativePickInput) => Promise<string | null>;

export interface FolderServiceOptions {
  configDir: string;
  /** Allowed without being chosen: the open project, the model cache. */
  always: () => ReadonlyArray<string | null | undefined>;
  native?: NativePicker;
  roots?: () => FolderRoot[];
}

/** The folders slice of the contract, and the path guard every door's calls go through. */
export class FolderService implements Slice<'folders'> {
  readonly access: PathAccess;
  readonly recents: RecentProjects;
  readonly #roots: () => FolderRoot[];
  readonly #native: NativePicker | undefined;

  constructor(opts: FolderServiceOptions) {
    this.access = new PathAccess(opts.always);
    this.recents = new RecentProjects(opts.configDir);
    this.#roots = opts.roots ?? (() => browseRoots());
    this.#native = opts.native;
  }

  /** A path the person typed or browsed to: allowed from now on, if it lies under a browse root. */
  pick({ path }: { path: string }): { path: string } {
    if (!this.access.allows(path)) rootOf(path, this.#roots());
    return { path: this.access.grant(path) };
  }

  /** The check the contract names for a path argument (`PathRule`). */
  checkPath(path: string, rule: PathRule): void {
    if (rule.mode === 'project') this.checkProject(path);
    else if (rule.mode === 'browse') rootOf(path, this.#roots());
    else if (rule.mode === 'write') this.access.checkWrite(path, rule.label);
    else this.access.check(path, rule.label);
  }

  /** A project folder may also be one opened before (the recent list is the person's own choice). */
  checkProject(path: string): void {
    if (this.recents.has(path)) this.access.grant(path);
    this.access.check(path, 'Project folder');
    // A new project inside another one's thumbs/ or runs/ would write among that one's files.
    refuseProjectFile(path, 'Project folder');
  }

  roots(): FolderRoot[] {
    return this.#roots();
  }

  browse({ path, extensions }: ParsedInput<'folders', 'browse'>): FolderListing {
    const roots = this.#roots();
    if (!path && roots.length === 0)
      throw new StudioError('not-found', 'No folder may be browsed here: set STUDIO_FOLDERS to the folders to offer.');
    return listFolder(path ?? roots[0].path, extensions, roots);
  }

  /** The contract's path guard has checked that `parent` is a folder the browser may show. */
  makeFolder({ parent, name }: ParsedInput<'folders', 'makeFolder'>): { path: string } {
    return { path: makeFolder(parent, name, this.#roots()) };
  }

  async pickNative(input: NativePickInput): Promise<{ path: string | null }> {
    if (!this.#native) {
      throw new StudioError(
        'unsupported',
        'Only the desktop app has a native picker; in a browser, use Browse… to choose a folder.',
      );
    }
    const path = await this.#native(input);
    return { path: path === null ? null : this.access.grant(path) };
  }

  capabilities(): { nativePicker: boolean } {
    return { nativePicker: this.#native !== undefined };
  }
}
