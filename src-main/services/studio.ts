// The studio: the one open project and the services over it, exposed as the contract's
// handlers. Every front door (Electron, the server, tests) goes through this.
import { contract, type Handlers } from '../../src-shared/contract';
import { StudioError } from '../../src-shared/errors';
import type { EditResult, ProjectInfo } from '../../src-shared/schemas';
import { EventHub } from '../rpc/dispatcher';
import { ImportService, type ImportOptions } from './import/import-service';
import { openProject, projectInfo, type Project } from './project/project';
import { guardStoreErrors } from './project/store-guard';
import { takeProject } from './project/owner';
import { restoreProject, type Restored } from './project/restore';
import { resolve } from 'node:path';
import { fileOf } from '../store/db';
import { RunService, type RunServiceOptions } from './runs/run-service';
import { ExportedFiles } from './exported-files';
import { BackboneService } from './backbones/backbone-service';
import { CurationService } from './curation/curation-service';
import { FolderService, type NativePicker } from './folders/folder-service';
import { datasetHandlers } from './dataset/dataset';
import { classHandlers, labelHandlers } from './labels/labels';
import { runHandlers } from './runs/run-handlers';
import { userConfigDir } from './folders/recents';
import { AssistService, type AssistOptions } from './assist/assist-service';
import { MapService, type MapOptions } from './map/map-service';
import { mapDeps } from './map/map-deps';

/** The contract's slices that work on the open project, made when it opens. */
type ProjectSlices = Pick<
  Handlers,
  'imports' | 'dataset' | 'labels' | 'classes' | 'runs' | 'curation' | 'assist' | 'map'
>;

export interface StudioOptions {
  clock?: () => number;
  runs?: RunServiceOptions;
  modelCacheDir?: string;
  /** Where the recent projects are kept, as it is; by default `userConfigDir()`. */
  configDir?: string;
  /** The desktop's open/save dialog, where the door has one. */
  nativePicker?: NativePicker;
  /**
   * The window this studio serves ("the desktop app", "the server"): it takes each project it
   * opens, so a second window on the same project is refused. Tests and commands leave it out.
   */
  door?: string;
  /** False for a command: no reduction scan starts on its own (one that needs it waits for it). */
  background?: boolean;
  imports?: ImportOptions;
  /** The labeling assistant's backbone and timing; by default it trains on its own only in a window's studio (`door`). */
  assist?: AssistOptions;
  /** The embedding map's backbone and projection settings; by default the assistant's backbone. */
  map?: MapOptions;
}

export class Studio {
  readonly hub = new EventHub();
  readonly #clock: () => number;
  readonly #runOptions: RunServiceOptions;

  readonly backbones: BackboneService;
  readonly folders: FolderService;
  /** What this studio exported: the only files the server hands a browser as downloads. */
  readonly exported = new ExportedFiles();

  constructor(opts: StudioOptions = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#runOptions = opts.runs ?? {};
    this.#door = opts.door;
    this.#background = opts.background ?? true;
    this.#importOptions = opts.imports ?? {};
    // A window's studio trains the assistant on its own; tests and commands ask for it.
    this.#assistOptions = {
      backend: opts.runs?.backend,
      auto: this.#background && opts.door !== undefined,
      ...opts.assist,
    };
    this.#mapOptions = {
      backend: opts.runs?.backend,
      backboneId: opts.assist?.backboneId,
      inputSize: opts.assist?.inputSize,
      ...opts.map,
    };
    this.backbones = new BackboneService({
      cacheDir: opts.modelCacheDir,
      emit: (d) => this.hub.emit('backbones.download', d),
    });
    this.folders = new FolderService({
      configDir: opts.configDir ?? userConfigDir(),
      always: () => [this.#project?.dir, this.backbones.cacheDir],
      native: opts.nativePicker,
    });
  }

  readonly #door: string | undefined;
  readonly #background: boolean;
  readonly #importOptions: ImportOptions;
  readonly #assistOptions: AssistOptions;
  readonly #mapOptions: MapOptions;
  #project: Project | null = null;
  #release: () => void = () => undefined;
  #imports: ImportService | null = null;
  #runs: RunService | null = null;
  #curation: CurationService | null = null;
  #assist: AssistService | null = null;
  #map: MapService | null = null;
  #slices: ProjectSlices | null = null;

  get project(): Project | null {
    return this.#project;
  }

  open(path: string, create: boolean): ProjectInfo {
    // A project that cannot be written opens read-only: the window shows it with a banner.
    const next = openProject(path, { create, access: 'read' });
    let release: () => void;
    try {
      release = this.#door && !next.readOnly ? takeProject(next.dir, this.#door) : () => undefined;
    } catch (err) {
      next.close();
      throw err;
    }
    this.close();
    this.#project = next;
    this.#release = release;
    this.#curation = new CurationService(next, {
      edit: (change) => this.#edit(change),
      progress: (p) => this.hub.emit('curation.progress', p),
      clock: this.#clock,
      exported: (files) => this.exported.add(files),
    });
    this.#imports = new ImportService(
      next,
      (p) => {
        this.hub.emit('imports.progress', p);
        if (p.phase === 'finished') {
          this.#scanInBackground();
          this.#assist?.labelsChanged();
          this.#map?.imagesChanged();
        }
      },
      Date.now,
      this.#importOptions,
    );
    this.#runs = new RunService(
      next,
      {
        progress: (p) => this.hub.emit('runs.progress', p),
        epoch: (e) => this.hub.emit('runs.epoch', e),
        status: (s) => this.hub.emit('runs.status', s),
        lrRange: (p) => this.hub.emit('runs.lrRange', p),
      },
      {
        clock: this.#clock,
        modelCacheDir: this.backbones.cacheDir,
        exported: (files) => this.exported.add(files),
        ...this.#runOptions,
      },
    );
    this.#assist = new AssistService(
      next,
      {
        edit: (change) => this.#edit(change),
        emit: (s) => this.hub.emit('assist.state', s),
        defaultBackbone: () => this.#defaultBackbone(),
        modelCacheDir: this.backbones.cacheDir,
        clock: this.#clock,
      },
      this.#assistOptions,
    );
    this.#map = new MapService(
      next,
      mapDeps({
        emit: (s) => this.hub.emit('map.state', s),
        defaultBackbone: () => this.#defaultBackbone(),
        modelCacheDir: this.backbones.cacheDir,
        clock: this.#clock,
        assist: this.#assist,
        curation: this.#curation,
      }),
      this.#mapOptions,
    );
    const access = this.folders.access;
    const db = () => next.db;
    this.#slices = {
      imports: this.#imports.handlers(access),
      dataset: datasetHandlers(db),
      labels: labelHandlers((change) => this.#edit(change), db),
      classes: classHandlers((change) => this.#edit(change)),
      runs: runHandlers(next, this.#runs, access, this.#clock),
      curation: this.#curation.handlers(access),
      assist: this.#assist.handlers(),
      map: this.#map.handlers(),
    };
    this.#scanInBackground();
    this.#assist.labelsChanged();
    const info = projectInfo(next);
    this.folders.recents.remember(info.path, this.#clock());
    this.hub.emit('project.changed', info);
    return info;
  }

  close(): void {
    if (!this.#project) return;
    for (const record of this.#imports?.list() ?? []) if (record.status === 'running') this.#imports?.cancel(record.id);
    // Marks what trains as interrupted (resumable) before the database closes.
    void this.#runs?.stop();
    this.#assist?.close();
    this.#map?.close();
    this.#project.close();
    this.#release();
    this.#project = null;
    this.#imports = null;
    this.#runs = null;
    this.#curation = null;
    this.#assist = null;
    this.#map = null;
    this.#slices = null;
    this.hub.emit('project.changed', null);
  }

  /** Waits for background work (imports, runs, the reduction scan) to settle; for shutdown and tests. */
  async idle(): Promise<void> {
    await this.#imports?.idle();
    await this.#runs?.idle();
    await this.#project?.backup;
    // A command's studio scans only when a call needs it, and that call waited for it already.
    if (this.#background) await this.#curation?.scan();
    await this.#assist?.settled();
    await this.#map?.settled();
  }

  /** The default backbone (the best one whose weights are present) at its own input size. */
  async #defaultBackbone(): Promise<{ id: string; inputSize: number }> {
    const list = await this.backbones.list();
    const best = list.find((b) => b.recommended) ?? list[0]!;
    return { id: best.id, inputSize: best.inputSize };
  }

  /** Reductions are ready before the Health page asks; a failure resurfaces when it does. */
  #scanInBackground(): void {
    if (!this.#background) return;
    void this.#curation?.scan().catch(() => undefined);
  }

  #need(): Project {
    if (!this.#project)
      throw new StudioError('no-project', 'No project is open. Open or create a project folder first.');
    return this.#project;
  }

  /** Runs a label/class change on the open project and tells every window about it. */
  #edit<R extends EditResult>(change: (db: Project['db'], now: number) => R): R {
    const out = change(this.#need().db, this.#clock());
    if (out.editId !== null) {
      this.hub.emit('labels.changed', { editId: out.editId, canUndo: out.canUndo, canRedo: out.canRedo });
      this.#assist?.labelsChanged();
    }
    return out;
  }

  handlers(): Handlers {
    return guardStoreErrors(this.#handlers(), () => (this.#project ? fileOf(this.#project.db) : null));
  }

  /**
   * Composed from each service's own slice of the contract: the studio keeps the project's
   * life (open, close, recent) and hands every other call to the open project's services.
   * Every path a call reads or writes must pass `this.folders.access`.
   */
  #handlers(): Handlers {
    const access = this.folders.access;
    return {
      project: {
        open: ({ path, create }) => (this.folders.checkProject(path), this.open(path, create)),
        current: () => (this.#project ? projectInfo(this.#project) : null),
        close: () => (this.close(), null),
        recent: () => this.folders.recents.list(),
        forget: ({ path }) => (this.folders.recents.forget(path), null),
        restore: ({ path, from }) => this.#restore(path, from),
      },
      folders: this.folders.handlers(),
      backbones: this.backbones.handlers(access),
      system: {
        // Loaded on first ask: the probe brings tfjs and ONNX Runtime into this process.
        doctor: async () =>
          (await import('./system/system-check')).runSystemCheck({ modelCacheDir: this.backbones.cacheDir }),
      },
      imports: this.#perProject('imports'),
      dataset: this.#perProject('dataset'),
      labels: this.#perProject('labels'),
      classes: this.#perProject('classes'),
      runs: this.#perProject('runs'),
      curation: this.#perProject('curation'),
      assist: this.#perProject('assist'),
      map: this.#perProject('map'),
    };
  }

  #restore(path: string, from: string | undefined): Restored {
    this.folders.checkProject(path);
    if (from !== undefined) this.folders.access.check(from, 'Backup file');
    if (this.#project && this.#project.dir === resolve(path)) this.close();
    return restoreProject(path, from);
  }

  /** A slice whose every method goes to the open project's services at call time (or says none is open). */
  #perProject<S extends keyof ProjectSlices>(name: S): ProjectSlices[S] {
    const methods = Object.keys(contract[name]);
    const slice = (): Record<string, (input: unknown) => unknown> => {
      this.#need();
      return this.#slices![name] as unknown as Record<string, (input: unknown) => unknown>;
    };
    return Object.fromEntries(
      methods.map((m) => [m, (input: unknown) => slice()[m](input)]),
    ) as unknown as ProjectSlices[S];
  }
}
