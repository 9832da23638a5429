// Folders and files a person chooses: the folder browser the server offers the browser
// door, the desktop's own picker, and the recent projects. Every path an RPC call reads or
// writes must lie in the open project, the model cache, or something chosen this session.
import { z } from 'zod';

/** Long enough for any real path, short enough that a path is never a payload. */
export const PATH_MAX = 4096;
export const PathString = z.string().min(1).max(PATH_MAX);

export const FolderRoot = z.object({ label: z.string(), path: z.string() });
export type FolderRoot = z.infer<typeof FolderRoot>;

export const FolderEntry = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  /** A folder that holds a studio.db: opening it opens that project. */
  project: z.boolean(),
});
export type FolderEntry = z.infer<typeof FolderEntry>;

export const FolderListing = z.object({
  path: z.string(),
  /** null at a root: the browser does not climb above the folders it may show. */
  parent: z.string().nullable(),
  entries: z.array(FolderEntry),
  /** Entries left out because the user may not read them, or past the listing's limit. */
  hidden: z.number().int(),
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListing>;

/** A file extension without its dot, lower case: csv, h5. */
const Extension = z.string().regex(/^[a-z0-9]{1,8}$/);

export const BrowseInput = z
  .object({ path: PathString.optional(), extensions: z.array(Extension).max(8).default([]) })
  .strict();

export const PickKind = z.enum(['folder', 'file', 'save']);
export type PickKind = z.infer<typeof PickKind>;

export const NativePickInput = z
  .object({
    kind: PickKind,
    title: z.string().max(200).optional(),
    defaultPath: PathString.optional(),
    extensions: z.array(Extension).max(8).default([]),
  })
  .strict();
export type NativePickInput = z.output<typeof NativePickInput>;

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  /** ms since epoch. */
  openedAt: z.number(),
  /** False when the folder or its studio.db is gone (moved, unmounted). */
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof RecentProject>;

export const Capabilities = z.object({
  /** The desktop app's own open/save dialogs (the Electron door only). */
  nativePicker: z.boolean(),
});
