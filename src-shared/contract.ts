// The one contract between the renderer (or any client) and the main-side services.
// Each method names a zod schema for its input and its output; the main side parses
// every input with it, so a client is never trusted. Events carry progress.
import { z } from 'zod';
import { CLASS_NAME_MAX } from './class-name';
import {
  ClassInfo,
  DatasetStats,
  EditRecord,
  EditResult,
  HexColor,
  ImageDetail,
  ImageFilter,
  ImageSummary,
  ImportProgress,
  ImportRecord,
  Problem,
  ProjectInfo,
  Split,
} from './schemas';
import { BackboneDownload, BackboneImportInput, BackboneImportOutput, BackboneInfo } from './backbones';
import {
  GroupSummary,
  LrRangeOutput,
  LrRangeProgress,
  PredictionsQuery,
  RunDetail,
  RunEpochEvent,
  RunEpochs,
  RunPrediction,
  RunsProgress,
  RunStatusEvent,
  RunSummary,
  StartRunInput,
  StartRunOutput,
  AugmentPreviewInput,
  AugmentPreviewOutput,
} from './runs';
import {
  BakeoffListItem,
  BakeoffSummary,
  StartBakeoffInput,
  StartBakeoffOutput,
  SuspectsInput,
  SuspectsOutput,
} from './bakeoff';
import { RunConfig } from './engine-config';
import { ExportFormat, ExportManifest } from './engine-export';
import {
  CsvExportOutput,
  CsvFileInput,
  CsvImportOutput,
  CurationProgress,
  DuplicatesReport,
  FixLeakageInput,
  FixLeakageOutput,
  HealthReport,
  ManifestOutput,
  ManifestParams,
  SplitInput,
  SplitOutput,
} from './curation';
import { SystemCheckReport } from './system';
import {
  AcceptInput,
  AcceptOutput,
  AssistState,
  DisagreementsOutput,
  SimilarInput,
  SimilarOutput,
  Suggestion,
  SuggestionsInput,
  SuggestionsOutput,
} from './assist';
import { MapLayers, MapPageInput, MapPoints, MapState } from './map';
import {
  BrowseInput,
  Capabilities,
  FolderListing,
  FolderRoot,
  NativePickInput,
  PathString,
  RecentProject,
} from './folders';

/**
 * A path argument and what the main side's path guard checks before the method runs: `read`, that
 * the path is allowed (inside the open project, the model cache, or chosen this session); `write`,
 * that too and that it is none of a project's own files; `project`, a project folder (one opened
 * before counts as chosen); `browse`, a folder inside the folder browser's roots. The label names the field in the refusal.
 */
export interface PathRule {
  mode: 'read' | 'write' | 'project' | 'browse';
  label: string;
}

export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** Works on the open project: refused with `no-project` when none is open. */
  project?: boolean;
  /** Input fields that are paths, checked in this order (an absent optional one is skipped). */
  paths?: Readonly<Record<string, PathRule>>;
}

const method = <I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  paths?: Partial<Record<keyof z.input<I> & string, PathRule>>,
): MethodDef<I, O> => ({ input, output, ...(paths ? { paths: paths as Record<string, PathRule> } : {}) });
const read = (label: string): PathRule => ({ mode: 'read', label });
const write = (label: string): PathRule => ({ mode: 'write', label });
/** A folder inside one of the browser's roots (it need not have been chosen). */
const browsable = (label: string): PathRule => ({ mode: 'browse', label });
const projectFolder: PathRule = { mode: 'project', label: 'Project folder' };
/** Every method of a slice that works on the open project says so. */
const onProject = <T extends Record<string, MethodDef>>(slice: T): T =>
  Object.fromEntries(Object.entries(slice).map(([name, def]) => [name, { ...def, project: true }])) as T;
const none = z.object({}).strict();
const page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(2000).default(200) };

export const contract = {
  project: {
    /** Opens the project folder (creating it when `create` is set) and makes it current. */
    open: method(z.object({ path: PathString, create: z.boolean().default(false) }).strict(), ProjectInfo, {
      path: projectFolder,
    }),
    current: method(none, ProjectInfo.nullable()),
    close: method(none, z.null()),
    /** The projects this user opened last, newest first, from either door. */
    recent: method(none, z.array(RecentProject)),
    forget: method(z.object({ path: PathString }).strict(), z.null()),
    /**
     * Puts a backup (by default the newest in the project's backups/) back as its studio.db;
     * the file it replaces is kept aside, renamed with its -wal and -shm. The project is
     * closed first when it is the open one.
     */
    restore: method(
      z.object({ path: PathString, from: PathString.optional() }).strict(),
      z.object({ project: z.string(), from: z.string(), keptAside: z.array(z.string()) }),
      { path: projectFolder, from: read('Backup file') },
    ),
  },
  folders: {
    /** Where the folder browser may go: home, the working and temporary folders, mounts, STUDIO_FOLDERS. */
    roots: method(none, z.array(FolderRoot)),
    /** One folder's readable subfolders (and files with the given extensions); the first root without a path. */
    browse: method(BrowseInput, FolderListing),
    /** Allows a path the person typed or browsed to for this session; paths RPC reads or writes must be chosen. */
    pick: method(z.object({ path: PathString }).strict(), z.object({ path: z.string() })),
    /** A new folder `name` inside `parent` (a folder the browser may show); its path. */
    makeFolder: method(
      z.object({ parent: PathString, name: z.string().max(1000) }).strict(),
      z.object({ path: z.string() }),
      { parent: browsable('Parent folder') },
    ),
    /** The desktop's own open or save dialog (the Electron door only, see `capabilities`); null when cancelled. */
    pickNative: method(NativePickInput, z.object({ path: z.string().nullable() })),
    capabilities: method(none, Capabilities),
  },
  imports: onProject({
    /** Starts importing a folder in the background; progress arrives as `imports.progress` events. */
    start: method(z.object({ folder: PathString }).strict(), z.object({ importId: z.number().int() }), {
      folder: read('Import folder'),
    }),
    cancel: method(z.object({ importId: z.number().int() }).strict(), z.null()),
    list: method(none, z.array(ImportRecord)),
    /** The files one import left out, in the order it met them. */
    problems: method(
      z.object({ importId: z.number().int(), limit: z.number().int().min(1).max(2000).default(200) }).strict(),
      z.array(Problem),
    ),
  }),
  dataset: onProject({
    classes: method(none, z.array(ClassInfo)),
    images: method(
      z.object({ filter: ImageFilter.default({}), ...page }).strict(),
      z.object({ total: z.number().int(), items: z.array(ImageSummary) }),
    ),
    image: method(z.object({ id: z.number().int() }).strict(), ImageDetail),
    problems: method(z.object({ ...page }).strict(), z.object({ total: z.number().int(), items: z.array(Problem) })),
    stats: method(none, DatasetStats),
    /** The image as the backbone gets it (oriented, on the thumbnails' background, stretched to inputSize), as a base64 PNG. */
    modelView: method(
      z.object({ imageId: z.number().int(), inputSize: z.number().int().min(8).max(1024) }).strict(),
      z.object({ png: z.string(), width: z.number().int(), height: z.number().int() }),
    ),
  }),
  labels: onProject({
    /** Labels the images (null: unlabels them) as one undoable edit. */
    assign: method(
      z.object({ imageIds: z.array(z.number().int()).max(200_000), classId: z.number().int().nullable() }).strict(),
      EditResult,
    ),
    /** Labels every image the filter shows ("select all in view"). */
    /** Every image the filter shows but `exceptIds` (Ctrl+A, then Ctrl-clicks that leave some out). */
    assignFilter: method(
      z
        .object({
          filter: ImageFilter,
          classId: z.number().int().nullable(),
          exceptIds: z.array(z.number().int()).max(200_000).optional(),
        })
        .strict(),
      EditResult,
    ),
    setSplit: method(
      z.object({ imageIds: z.array(z.number().int()).max(200_000), split: Split.nullable() }).strict(),
      EditResult,
    ),
    /** Leaves images out of training (splits, runs, counts, exports) or brings them back; never deletes a file. */
    setExcluded: method(
      z.object({ imageIds: z.array(z.number().int()).max(200_000), excluded: z.boolean() }).strict(),
      EditResult,
    ),
    undo: method(none, EditResult),
    redo: method(none, EditResult),
    history: method(
      z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
      z.object({ edits: z.array(EditRecord), canUndo: z.boolean(), canRedo: z.boolean() }),
    ),
  }),
  classes: onProject({
    create: method(
      z.object({ name: z.string().max(CLASS_NAME_MAX), color: HexColor.optional() }).strict(),
      EditResult.extend({ classId: z.number().int() }),
    ),
    rename: method(z.object({ id: z.number().int(), name: z.string().max(CLASS_NAME_MAX) }).strict(), EditResult),
    recolour: method(z.object({ id: z.number().int(), color: HexColor }).strict(), EditResult),
    /** Moves every image of `fromId` into `intoId`, then removes `fromId`. */
    merge: method(z.object({ fromId: z.number().int(), intoId: z.number().int() }).strict(), EditResult),
    /** Removes the class; its images become unlabeled, never deleted. */
    delete: method(z.object({ id: z.number().int() }).strict(), EditResult),
  }),
  backbones: {
    /** The registry: sizes, feature maps, blocks for phase 2, and each backbone's own preprocessing. */
    list: method(none, z.array(BackboneInfo)),
    /** Fetches Keras' ImageNet weights into the per-user model cache; progress arrives as `backbones.download`. */
    download: method(z.object({ id: z.string().min(1).max(100) }).strict(), BackboneDownload),
    /** Stops a download; the part kept on disk lets the next download resume. */
    cancelDownload: method(z.object({ id: z.string().min(1).max(100) }).strict(), z.null()),
    /** Checks a Keras .h5 against the architecture (every layer and shape) and adds it to the model cache. */
    import: method(BackboneImportInput, BackboneImportOutput, { file: read('Weight file') }),
  },
  runs: onProject({
    /** Plans and freezes the split, then queues the run (K runs, one per fold, with `folds`). */
    start: method(StartRunInput, StartRunOutput),
    cancel: method(z.object({ runId: z.number().int() }).strict(), z.null()),
    /** Continues an interrupted run from its last finished epoch. */
    resume: method(z.object({ runId: z.number().int() }).strict(), z.null()),
    list: method(none, z.array(RunSummary)),
    get: method(z.object({ runId: z.number().int() }).strict(), RunDetail),
    epochs: method(z.object({ runId: z.number().int() }).strict(), RunEpochs),
    /** Test-split predictions, highest loss first; filter by a confusion-matrix cell. */
    predictions: method(PredictionsQuery, z.object({ total: z.number().int(), items: z.array(RunPrediction) })),
    /** One at a time; progress arrives as `runs.lrRange` events. A cancelled test fails with code 'cancelled'. */
    lrRangeTest: method(z.object({ config: RunConfig }).strict(), LrRangeOutput),
    /** Stops the range test under way (its training process ends); nothing when none runs. */
    lrRangeCancel: method(none, z.null()),
    groupSummary: method(z.object({ groupId: z.number().int() }).strict(), GroupSummary),
    /** A tfjs layers model (or ONNX: format 'onnx') + manifest.json, by default into <project>/runs/<id>/export (export-onnx). */
    export: method(
      z
        .object({ runId: z.number().int(), outDir: PathString.optional(), format: ExportFormat.default('tfjs') })
        .strict(),
      /** `files`: what the export wrote (the manifest, the model, its weights), as full paths. */
      z.object({ dir: z.string(), manifest: ExportManifest, files: z.array(z.string()) }),
      { outDir: write('Export folder') },
    ),
    /** A few training images through the engine's own augmentation, for the launcher's preview. */
    augmentPreview: method(AugmentPreviewInput, AugmentPreviewOutput),
    /** Backbone bake-off: one queued run per backbone (and size) on one plan, the same frozen split and seed. */
    bakeoff: method(StartBakeoffInput, StartBakeoffOutput),
    bakeoffs: method(none, z.array(BakeoffListItem)),
    /** Accuracy with Wilson intervals, macro F1, epoch and cache times, latency, size; the Pareto front. */
    bakeoffSummary: method(z.object({ bakeoffId: z.number().int() }).strict(), BakeoffSummary),
    /** Label-error candidates of a k-fold group from its out-of-fold predictions (confident learning). */
    suspects: method(SuspectsInput, SuspectsOutput),
  }),
  curation: onProject({
    /** Waits for the reduction scan, then reports; the scan's progress arrives as `curation.progress`. */
    health: method(none, HealthReport),
    duplicates: method(none, DuplicatesReport),
    /** Keeps one leaking cluster (or all) in one split, as one undoable edit. */
    fixLeakage: method(FixLeakageInput, FixLeakageOutput),
    /** Assigns train/val/test (and folds) as one undoable edit; predefined splits are kept by default. */
    split: method(SplitInput, SplitOutput),
    /** Freezes the current split and folds into a manifest, by digest. */
    manifest: method(z.object({ params: ManifestParams.default({}) }).strict(), ManifestOutput),
    exportCsv: method(CsvFileInput, CsvExportOutput, { file: write('CSV file') }),
    /** Applies `path,label,split` rows as one undoable edit; any bad row rejects the whole file. */
    importCsv: method(CsvFileInput, CsvImportOutput, { file: read('CSV file') }),
  }),
  assist: onProject({
    /** The labeling assistant: what it waits for or does, and its cross-validated accuracy. */
    state: method(none, AssistState),
    /** Trains now (not after the pause that follows a label change) and resolves once it has settled. */
    refresh: method(none, AssistState),
    /** Stops a feature cache build or a training under way; the next label change starts again. */
    cancel: method(none, AssistState),
    /** Per image: the suggested class, its probability and the margin to the runner-up. */
    suggestions: method(SuggestionsInput, SuggestionsOutput),
    /** "Label next": unlabeled images by uncertainty, spread out over the features. */
    queue: method(
      z.object({ count: z.number().int().min(1).max(500).default(20) }).strict(),
      z.object({ version: z.number().int(), items: z.array(Suggestion) }),
    ),
    /** Labels every unlabeled image suggested at or above a probability (for one class, or all) as one undoable edit; or previews it. */
    accept: method(AcceptInput, AcceptOutput),
    /** Labeled images the assistant (out of fold) or a k-fold run doubts, most doubted first. */
    disagreements: method(
      z.object({ limit: z.number().int().min(1).max(2000).default(100) }).strict(),
      DisagreementsOutput,
    ),
    /** "More like this": the images nearest to one by the assistant's features, labeled or not. */
    similar: method(SimilarInput, SimilarOutput),
  }),
  map: onProject({
    /** The embedding map: none, computing (with progress), or ready; whether images changed since. */
    state: method(none, MapState),
    /** Computes the map in the background (features first where the cache lacks them); progress arrives as `map.state`. */
    compute: method(none, MapState),
    cancel: method(none, MapState),
    /** A page of the current map's points: image ids and x, y. */
    points: method(MapPageInput, MapPoints),
    /** The same page's colouring fields: label, split, exclusion, suggestion and confidence, cluster status. */
    layers: method(MapPageInput, MapLayers),
  }),
  system: {
    /** What trains and what runs inference on this machine, each rung with its state and reason; the devices seen. */
    doctor: method(none, SystemCheckReport),
  },
} as const;

export const events = {
  'imports.progress': ImportProgress,
  'project.changed': ProjectInfo.nullable(),
  /** Labels, splits or classes changed (by this window, another, or an undo). */
  'labels.changed': EditResult,
  /** Feature extraction and batch progress of the run that trains now. */
  'runs.progress': RunsProgress,
  /** An epoch ended; its metrics are already stored. */
  'runs.epoch': RunEpochEvent,
  'runs.status': RunStatusEvent,
  /** The learning-rate range test's progress. */
  'runs.lrRange': LrRangeProgress,
  /** A weight download's bytes, rate and ETA, and how it ended. */
  'backbones.download': BackboneDownload,
  /** The background reduction scan that duplicate and colour checks need. */
  'curation.progress': CurationProgress,
  /** The assistant's state changed: a cache build's progress, a training started or finished. */
  'assist.state': AssistState,
  /** The embedding map's state changed: a computation's progress, a new map. */
  'map.state': MapState,
} as const;

export type Contract = typeof contract;
export type ServiceName = keyof Contract;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

type Def<S extends ServiceName, M extends keyof Contract[S]> =
  Contract[S][M] extends MethodDef<infer I, infer O> ? { input: I; output: O } : never;

/** What a caller passes: defaults may be left out. */
export type Input<S extends ServiceName, M extends keyof Contract[S]> = z.input<Def<S, M>['input']>;
/** What an implementation receives, after parsing and defaults. */
export type ParsedInput<S extends ServiceName, M extends keyof Contract[S]> = z.output<Def<S, M>['input']>;
export type Output<S extends ServiceName, M extends keyof Contract[S]> = z.output<Def<S, M>['output']>;

/** The client's view: every method async, inputs as the caller writes them. */
export type Api = {
  [S in ServiceName]: {
    [M in keyof Contract[S]]: Record<never, never> extends Input<S, M>
      ? (input?: Input<S, M>) => Promise<Output<S, M>>
      : (input: Input<S, M>) => Promise<Output<S, M>>;
  };
};

/** The main side's view: inputs arrive parsed. */
export type Handlers = {
  [S in ServiceName]: { [M in keyof Contract[S]]: (input: ParsedInput<S, M>) => Promise<Output<S, M>> | Output<S, M> };
};

/** One slice as a service implements it: `class RunService implements Slice<'runs'>`. */
export type Slice<S extends ServiceName> = Handlers[S];
