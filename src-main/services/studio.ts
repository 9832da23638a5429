// The studio: the one open project and the services over it, exposed as the contract's
// handlers. Every front door (Electron, the server, tests) goes through this.
import type { Handlers } from '../../src-shared/contract';
import { StudioError } from '../../src-shared/errors';
import type { EditResult, ProjectInfo } from '../../src-shared/schemas';
import { EventHub } from '../rpc/dispatcher';
import { datasetStats, getImage, listClasses, listImages, listProblems } from './dataset/dataset';
import { modelView } from './dataset/model-view';
import { ImportService } from './import/import-service';
import { openProject, projectInfo, type Project } from './project/project';
import { guardStoreErrors } from './project/store-guard';
import { takeProject } from './project/owner';
import { fileOf } from '../store/db';
import * as labels from './labels/labels';
import { canUndoRedo, listEdits } from '../store/repos/edits';
import { RunService, type RunServiceOptions } from './runs/run-service';
import { BackboneService } from './backbones/backbone-service';
import { augmentPreview } from './runs/augment-preview';
import { BakeoffService } from './runs/bakeoff';
import { labelSuspects } from './runs/suspects';
import { CurationService } from './curation/curation-service';
import { FolderService, type NativePicker } from './folders/folder-service';
import { userConfigDir } from './folders/recents';

export interface StudioOptions {
  clock?: () => number;
  runs?: RunServiceOptions;
  modelCacheDir?: string;
  /** Where the recent projects are kept; see `userConfigDir`. */
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
}

export class Studio {
  readonly hub = new EventHub();
  readonly #clock: () => number;
  readonly #runOptions: RunServiceOptions;

  readonly backbones: BackboneService;
  readonly folders: FolderService;

  constructor(opts: StudioOptions = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#runOptions = opts.runs ?? {};
    this.#door = opts.door;
    this.#background = opts.background ?? true;
    this.backbones = new BackboneService({ cacheDir: opts.modelCacheDir, emit: (d) => this.hub.emit('backbones.download', d) });
    this.folders = new FolderService({
      configDir: userConfigDir(opts.configDir),
      always: () => [this.#project?.dir, this.backbones.cacheDir],
      native: opts.nativePicker,
    });
  }

  readonly #door: string | undefined;
  readonly #background: boolean;
  #project: Project | null = null;
  #release: () => void = () => undefined;
  #imports: ImportService | null = null;
  #runs: RunService | null = null;
  #curation: CurationService | null = null;

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
    });
    this.#imports = new ImportService(next, (p) => {
      this.hub.emit('imports.progress', p);
      if (p.phase === 'finished') this.#scanInBackground();
    });
    this.#runs = new RunService(next, {
      progress: (p) => this.hub.emit('runs.progress', p),
      epoch: (e) => this.hub.emit('runs.epoch', e),
      status: (s) => this.hub.emit('runs.status', s),
    }, { clock: this.#clock, modelCacheDir: this.backbones.cacheDir, ...this.#runOptions });
    this.#scanInBackground();
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
    this.#project.close();
    this.#release();
    this.#project = null;
    this.#imports = null;
    this.#runs = null;
    this.#curation = null;
    this.hub.emit('project.changed', null);
  }

  /** Waits for background work (imports, runs, the reduction scan) to settle; for shutdown and tests. */
  async idle(): Promise<void> {
    await this.#imports?.idle();
    await this.#runs?.idle();
    await this.#curation?.scan();
  }

  /** Reductions are ready before the Health page asks; a failure resurfaces when it does. */
  #scanInBackground(): void {
    if (!this.#background) return;
    void this.#curation?.scan().catch(() => undefined);
  }

  #curator(): CurationService {
    this.#need();
    return this.#curation!;
  }

  #need(): Project {
    if (!this.#project) throw new StudioError('no-project', 'No project is open. Open or create a project folder first.');
    return this.#project;
  }

  #runner(): RunService {
    this.#need();
    return this.#runs!;
  }

  /** Holds nothing but the project and its runs, so it is made per call. */
  #bakeoffs(): BakeoffService {
    return new BakeoffService(this.#need(), this.#runner(), this.#clock);
  }

  #importer(): ImportService {
    this.#need();
    return this.#imports!;
  }

  /** Runs a label/class change on the open project and tells every window about it. */
  #edit<R extends EditResult>(change: (db: Project['db'], now: number) => R): R {
    const out = change(this.#need().db, this.#clock());
    if (out.editId !== null) this.hub.emit('labels.changed', { editId: out.editId, canUndo: out.canUndo, canRedo: out.canRedo });
    return out;
  }

  /** Every path a call reads or writes lies in the project, the model cache, or what was chosen this session. */
  #allow(path: string, field: string): void {
    this.folders.access.check(path, field);
  }

  handlers(): Handlers {
    return guardStoreErrors(this.#handlers(), () => (this.#project ? fileOf(this.#project.db) : null));
  }

  #handlers(): Handlers {
    return {
      project: {
        open: ({ path, create }) => (this.folders.checkProject(path), this.open(path, create)),
        current: () => (this.#project ? projectInfo(this.#project) : null),
        close: () => (this.close(), null),
        recent: () => this.folders.recents.list(),
        forget: ({ path }) => (this.folders.recents.forget(path), null),
      },
      folders: this.folders.handlers(),
      imports: {
        start: ({ folder }) => (this.#allow(folder, 'Import folder'), this.#importer().start(folder)),
        cancel: ({ importId }) => (this.#importer().cancel(importId), null),
        list: () => this.#importer().list(),
      },
      dataset: {
        classes: () => listClasses(this.#need().db),
        images: ({ filter, offset, limit }) => listImages(this.#need().db, filter, offset, limit),
        image: ({ id }) => getImage(this.#need().db, id),
        problems: ({ offset, limit }) => listProblems(this.#need().db, offset, limit),
        stats: () => datasetStats(this.#need().db),
        modelView: ({ imageId, inputSize }) => modelView(this.#need().db, imageId, inputSize),
      },
      labels: {
        assign: ({ imageIds, classId }) => this.#edit((db, now) => labels.assignLabel(db, imageIds, classId, now)),
        assignFilter: ({ filter, classId }) => this.#edit((db, now) => labels.assignLabelToFilter(db, filter, classId, now)),
        setSplit: ({ imageIds, split }) => this.#edit((db, now) => labels.setSplit(db, imageIds, split, now)),
        undo: () => this.#edit((db) => labels.undo(db)),
        redo: () => this.#edit((db) => labels.redo(db)),
        history: ({ limit }) => {
          const db = this.#need().db;
          const { undo, redo } = canUndoRedo(db);
          return { edits: listEdits(db, limit), canUndo: undo, canRedo: redo };
        },
      },
      backbones: {
        list: () => this.backbones.list(),
        download: ({ id }) => this.backbones.download(id),
        cancelDownload: ({ id }) => (this.backbones.cancelDownload(id), null),
        import: ({ file, id }) => (this.#allow(file, 'Weight file'), this.backbones.import(file, id)),
      },
      runs: {
        start: (input) => this.#runner().start(input),
        cancel: ({ runId }) => (this.#runner().cancel(runId), null),
        resume: ({ runId }) => (this.#runner().resume(runId), null),
        list: () => this.#runner().list(),
        get: ({ runId }) => this.#runner().get(runId),
        epochs: ({ runId }) => this.#runner().epochs(runId),
        predictions: ({ runId, trueClass, predicted, offset, limit }) => this.#runner().predictions(runId, { trueClass, predicted }, offset, limit),
        lrRangeTest: ({ config }) => this.#runner().lrRangeTest(config),
        groupSummary: ({ groupId }) => this.#runner().groupSummary(groupId),
        export: ({ runId, outDir, format }) => (outDir && this.#allow(outDir, 'Export folder'), this.#runner().export(runId, outDir, format)),
        augmentPreview: (input) => augmentPreview(this.#need(), input),
        bakeoff: (input) => this.#bakeoffs().start(input),
        bakeoffs: () => this.#bakeoffs().list(),
        bakeoffSummary: ({ bakeoffId }) => this.#bakeoffs().summary(bakeoffId),
        suspects: (input) => labelSuspects(this.#need().db, input),
      },
      curation: {
        health: () => this.#curator().health(),
        duplicates: () => this.#curator().duplicates(),
        fixLeakage: ({ clusterId }) => this.#curator().fixLeakage(clusterId),
        split: (input) => this.#curator().split(input),
        manifest: ({ params }) => this.#curator().manifest(params),
        exportCsv: ({ file }) => (this.#allow(file, 'CSV file'), this.#curator().exportCsv(file)),
        importCsv: ({ file }) => (this.#allow(file, 'CSV file'), this.#curator().importCsv(file)),
      },
      system: {
        // Loaded on first ask: the probe brings tfjs and ONNX Runtime into this process.
        doctor: async () => (await import('../engine/doctor')).runDoctor({ modelCacheDir: this.backbones.cacheDir }),
      },
      classes: {
        create: ({ name, color }) => this.#edit((db, now) => labels.createClass(db, name, color, now)),
        rename: ({ id, name }) => this.#edit((db, now) => labels.renameClass(db, id, name, now)),
        recolour: ({ id, color }) => this.#edit((db, now) => labels.recolourClass(db, id, color, now)),
        merge: ({ fromId, intoId }) => this.#edit((db, now) => labels.mergeClasses(db, fromId, intoId, now)),
        delete: ({ id }) => this.#edit((db, now) => labels.deleteClass(db, id, now)),
      },
    };
  }
}
