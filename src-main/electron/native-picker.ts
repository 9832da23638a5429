// The desktop's own open and save dialogs for the contract's `folders.pickNative`: what
// the person picks there is allowed for the session, like a path chosen in the browser.
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { NativePickInput } from '../../src-shared/folders';

export function filtersFor(extensions: readonly string[]): { name: string; extensions: string[] }[] {
  if (extensions.length === 0) return [];
  return [
    { name: `${extensions.map((e) => e.toUpperCase()).join(', ')} files`, extensions: [...extensions] },
    { name: 'All files', extensions: ['*'] },
  ];
}

export function openOptions(input: NativePickInput): OpenDialogOptions {
  return {
    title: input.title ?? (input.kind === 'folder' ? 'Choose a folder' : 'Choose a file'),
    defaultPath: input.defaultPath,
    filters: filtersFor(input.extensions),
    properties: [input.kind === 'folder' ? 'openDirectory' : 'openFile', 'createDirectory'],
  };
}

export function saveOptions(input: NativePickInput): SaveDialogOptions {
  return {
    title: input.title ?? 'Save as',
    defaultPath: input.defaultPath,
    filters: filtersFor(input.extensions),
    properties: ['createDirectory'],
  };
}
