// The studio: the one open project and the services over it. Each service implements its
// slice of the contract; the studio only composes them and is what every front door serves
// (Electron, the server, the command line, tests), through the dispatcher's `Provider`.
import type { Handlers, PathRule, ServiceName, Slice } from '../../src-shared/contract';
import { StudioError } from '../../src-shared/errors';
import type { EditResult, ProjectInfo } from '../../src-shared/schemas';
import { EventHub, localHandlers, type Provider } from '../rpc/dispatcher';
import { sliceOf } from '../rpc/slice';
import { ImportService, type ImportOptions } from './import/import-service';
import { openProject, projectInfo, type Project } from './project/project';
import { takeProject } from './project/owner';
import { restoreProject, type Restored } from './project/restore';
import { resolve } from 'node:path';
import { fileOf, storeError } from '../store/db';
import { RunService, type RunServiceOptions } from './runs/run-service';
import { ExportedFiles } from './exported-files';
import { BackboneService } from './backbones/backbone-service';
import { CurationService } from './curation/curation-service';
import { FolderService, type NativePicker } from './folders/folder-service';
import { DatasetService } from './dataset/dataset';
import { ClassService, LabelService } from './labels/label-service';
import { BakeoffService } from './runs/bakeoff';
import { userConfigDir } from './folders/recents';
import { AssistService, type AssistOptions } from './assist/assist-service';
import { MapService, type MapOptions } from './map/map-service';
import { mapDeps } from './map/map-deps';

/** The contract's slices that work on the open project, made when it opens. */
type ProjectSlices = Pick<
  Handlers,
  'imports' | 'dataset' | 'labels' | 'classes' | 'runs' | 'curation' | 'assist' | 'map'
>;
/** The slices that need no project: there for the studio's whole life. */
type StudioSlices = Omit<Handlers, keyof ProjectSlices>;

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

/** The project slice of the contract, and the provider every door serves. */
export class Studio implements Slice<'project'>, Provider {
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
    this.#always = {
      project: this,
      folders: this.folders,
      backbones: this.backbones,
      // Loaded on first ask: the probe brings tfjs and ONNX Runtime into this process.
      system: {
        doctor: async () =>
          (await import('./system/system-check')).runSystemCheck({ modelCacheDir: this.backbones.cacheDir }),
      },
    };
  }

  readonly #always: StudioSlices;

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

  open({ path, create = false }: { path: string; create?: boolean }): ProjectInfo {
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
        if (p.phase !== 'finished') return;
        this.#scanInBackground();
        this.#assist?.labelsChanged();
        this.#map?.imagesChanged();
      },
      Date.now,
      this.#importOptions,
      (real) => this.folders.access.allows(real),
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
    const db = () => next.db;
    const edit: LabelService['edit'] = (change) => this.#edit(change);
    this.#slices = {
      imports: this.#imports,
      dataset: new DatasetService(db),
      labels: new LabelService(edit, db),
      classes: new ClassService(edit),
      runs: sliceOf('runs', this.#runs, new BakeoffService(next, this.#runs, this.#clock)),
      curation: this.#curation,
      assist: this.#assist,
      map: this.#map,
    };
    this.#scanInBackground();
    this.#assist.labelsChanged();
    const info = projectInfo(next);
    this.folders.recents.remember(info.path, this.#clock());
    this.hub.emit('project.changed', info);
    return info;
  }

  close(): null {
    if (!this.#project) return null;
    for (const record of this.#imports?.list() ?? [])
      if (record.status === 'running') this.#imports?.cancel({ importId: record.id });
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
    return null;
  }

  current(): ProjectInfo | null {
    return this.#project ? projectInfo(this.#project) : null;
  }

  recent() {
    return this.folders.recents.list();
  }

  forget({ path }: { path: string }): null {
    this.folders.recents.forget(path);
    return null;
  }

  /** Puts a backup back (the contract's path guard has checked both paths); the open project closes first when it is this one. */
  restore({ path, from }: { path: string; from?: string }): Restored {
    if (this.#project && this.#project.dir === resolve(path)) this.close();
    return restoreProject(path, from);
  }

  /** The implementation of one slice of the contract; a project's slices only while one is open. */
  slice<S extends ServiceName>(service: S): Handlers[S] | null {
    if (Object.hasOwn(this.#always, service)) return this.#always[service as keyof StudioSlices] as Handlers[S];
    return (this.#slices?.[service as keyof ProjectSlices] as Handlers[S] | undefined) ?? null;
  }

  checkPath(path: string, rule: PathRule): void {
    this.folders.checkPath(path, rule);
  }

  /** A failure of the project's database (read-only, full, busy, damaged) names the file and says what to do. */
  translate(err: unknown): unknown {
    return this.#project ? storeError(err, fileOf(this.#project.db)) : err;
  }

  /** The contract in-process (tests, scripts): each call parsed and checked as it would be over a wire. */
  handlers(): Handlers {
    return localHandlers(this);
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
}
