// The folders slice of the contract: where a person may browse, what they chose, and the
// desktop's own picker where the door has one (Electron passes it in; the server has none).
import type { Handlers } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import type { FolderRoot, NativePickInput } from '../../../src-shared/folders';
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

export class FolderService {
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
  choose(path: string): string {
    if (!this.access.allows(path)) rootOf(path, this.#roots());
    return this.access.grant(path);
  }

  /** A project folder may also be one opened before (the recent list is the person's own choice). */
  checkProject(path: string): void {
    if (this.recents.has(path)) this.access.grant(path);
    this.access.check(path, 'Project folder');
    // A new project inside another one's thumbs/ or runs/ would write among that one's files.
    refuseProjectFile(path, 'Project folder');
  }

  handlers(): Handlers['folders'] {
    return {
      roots: () => this.#roots(),
      browse: ({ path, extensions }) => {
        const roots = this.#roots();
        if (!path && roots.length === 0)
          throw new StudioError(
            'not-found',
            'No folder may be browsed here: set STUDIO_FOLDERS to the folders to offer.',
          );
        return listFolder(path ?? roots[0].path, extensions, roots);
      },
      pick: ({ path }) => ({ path: this.choose(path) }),
      makeFolder: ({ parent, name }) => ({ path: makeFolder(parent, name, this.#roots()) }),
      pickNative: async (input) => {
        if (!this.#native) {
          throw new StudioError(
            'unsupported',
            'Only the desktop app has a native picker; in a browser, use Browse… to choose a folder.',
          );
        }
        const path = await this.#native(input);
        return { path: path === null ? null : this.access.grant(path) };
      },
      capabilities: () => ({ nativePicker: this.#native !== undefined }),
    };
  }
}
