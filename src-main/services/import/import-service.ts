// Imports into the open project, one folder at a time, in the background.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { Slice } from '../../../src-shared/contract';
import type { ImportProgress, ImportRecord, Problem } from '../../../src-shared/schemas';
import { fileOf, storeError } from '../../store/db';
import { createImport, getImportRecord, listImportRecords, runningImports } from '../../store/repos/imports';
import { problemsOfImport } from '../../store/repos/problems';
import { isProcessAlive, type Project } from '../project/project';
import { DEFAULT_CONCURRENCY, ImportRun, type ImportOptions } from './import-run';

export type { ImportOptions } from './import-run';

/** The imports slice of the contract (its folder is checked by the contract's path guard). */
export class ImportService implements Slice<'imports'> {
  #current: ImportRun | null = null;
  readonly #options: Required<ImportOptions>;
  /** What a link in an imported folder may lead to outside it (the door's path guard); by default nothing. */
  readonly #allowed: ((real: string) => boolean) | undefined;

  constructor(
    readonly project: Project,
    readonly emit: (p: ImportProgress) => void,
    readonly clock: () => number = Date.now,
    options: ImportOptions = {},
    allowed?: (real: string) => boolean,
  ) {
    this.#allowed = allowed;
    this.#options = {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      batchSize: options.batchSize ?? 64,
      readFile: options.readFile ?? ((path) => readFile(path)),
    };
  }

  start({ folder }: { folder: string }): { importId: number } {
    const allowed = this.#allowed;
    const root = resolve(folder);
    checkFolder(root);
    this.#refuseIfBusy();
    let importId: number;
    try {
      importId = createImport(this.project.db, root, process.pid, this.clock());
    } catch (err) {
      // Read-only, full or busy: said in words, with the file's name.
      throw storeError(err, fileOf(this.project.db));
    }
    const run = new ImportRun(importId, root, {
      project: this.project,
      emit: this.emit,
      clock: this.clock,
      options: this.#options,
      allowed,
    });
    this.#current = run;
    void run.finished.finally(() => {
      if (this.#current === run) this.#current = null;
    });
    return { importId };
  }

  cancel({ importId }: { importId: number }): null {
    if (this.#current?.id === importId) return (this.#current.cancel(), null);
    const record = getImportRecord(this.project.db, importId);
    if (!record)
      throw new StudioError(
        'not-found',
        `There is no import ${importId} in this project; list the imports to see their ids.`,
      );
    if (record.status === 'running') {
      throw new StudioError('busy', `Import ${importId} of ${record.root} runs in another process; cancel it there.`);
    }
    return null;
  }

  list(): ImportRecord[] {
    return listImportRecords(this.project.db);
  }

  /** The files one import left out, in the order it met them. */
  problems({ importId, limit }: { importId: number; limit: number }): Problem[] {
    return problemsOfImport(this.project.db, importId, limit);
  }

  /** Resolves once no import of this service is running. */
  async idle(): Promise<void> {
    while (this.#current) await this.#current.finished;
  }

  #refuseIfBusy(): void {
    const running = this.#current
      ? { id: this.#current.id }
      : runningImports(this.project.db).find((r) => isProcessAlive(r.pid));
    if (!running) return;
    const record = getImportRecord(this.project.db, running.id);
    throw new StudioError(
      'busy',
      `An import of ${record?.root ?? 'another folder'} is still running (import ${running.id}). Wait for it to finish, or cancel it first.`,
    );
  }
}

/** Refuses anything but an existing folder, naming it and saying what to choose instead. */
export function checkFolder(root: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new StudioError('not-a-folder', `${root} does not exist. Choose the folder that holds your images.`);
  }
  if (!isDir)
    throw new StudioError('not-a-folder', `${root} is a file, not a folder. Choose the folder that holds your images.`);
}
