// Imports into the open project, one folder at a time, in the background.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { Handlers } from '../../../src-shared/contract';
import type { ImportProgress, ImportRecord } from '../../../src-shared/schemas';
import type { PathAccess } from '../folders/access';
import { fileOf, storeError } from '../../store/db';
import { createImport, getImportRecord, listImportRecords, runningImports } from '../../store/repos/imports';
import { problemsOfImport } from '../../store/repos/problems';
import { isProcessAlive, type Project } from '../project/project';
import { DEFAULT_CONCURRENCY, ImportRun, type ImportOptions } from './import-run';

export type { ImportOptions } from './import-run';

export class ImportService {
  #current: ImportRun | null = null;
  readonly #options: Required<ImportOptions>;

  constructor(
    readonly project: Project,
    readonly emit: (p: ImportProgress) => void,
    readonly clock: () => number = Date.now,
    options: ImportOptions = {},
  ) {
    this.#options = {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      batchSize: options.batchSize ?? 64,
      readFile: options.readFile ?? ((path) => readFile(path)),
    };
  }

  /** `allowed`: what a link in the folder may lead to outside it (by default nothing). */
  start(folder: string, allowed?: (real: string) => boolean): { importId: number } {
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

  cancel(importId: number): void {
    if (this.#current?.id === importId) return this.#current.cancel();
    const record = getImportRecord(this.project.db, importId);
    if (!record)
      throw new StudioError(
        'not-found',
        `There is no import ${importId} in this project; list the imports to see their ids.`,
      );
    if (record.status === 'running') {
      throw new StudioError('busy', `Import ${importId} of ${record.root} runs in another process; cancel it there.`);
    }
  }

  list(): ImportRecord[] {
    return listImportRecords(this.project.db);
  }

  /** The contract's imports slice; the folder must be one `access` allows. */
  handlers(access: PathAccess): Handlers['imports'] {
    return {
      start: ({ folder }) => (access.check(folder, 'Import folder'), this.start(folder, (real) => access.allows(real))),
      cancel: ({ importId }) => (this.cancel(importId), null),
      list: () => this.list(),
      problems: ({ importId, limit }) => problemsOfImport(this.project.db, importId, limit),
    };
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
