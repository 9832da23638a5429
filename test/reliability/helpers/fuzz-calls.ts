// Calls for the contract fuzzer: every method of the contract, from a valid seed input pushed to
// its edges, or anything at all; envelopes with good and poisoned ids, kinds and names. Methods
// whose valid inputs would start long or destructive work (training, downloads, closing or
// switching the project, granting paths) get only inputs their own schema refuses.
import fc from 'fast-check';
import { join } from 'node:path';
import { contract, type MethodDef } from '../../../src-shared/contract';
import { CALL_ID_MAX } from '../../../src-shared/rpc';
import { Deep, deep, depthOf, Huge, keys, mutated, numbers, overJson, strings, wild, TRICKY_KEYS } from './fuzz-values';

export interface FuzzPlace {
  projectDir: string;
  imagesDir: string;
  dir: string;
}

type Seeds = { [S in keyof typeof contract]: { [M in keyof (typeof contract)[S]]: Record<string, unknown> } };

/** A valid input for each method, on the fixture project (ids 1-3 exist as images and classes). */
export function seeds(p: FuzzPlace): Seeds {
  const csv = join(p.projectDir, 'fuzz-labels.csv');
  return {
    project: {
      open: { path: p.projectDir },
      current: {},
      close: {},
      recent: {},
      forget: { path: join(p.dir, 'gone') },
      restore: { path: p.projectDir },
    },
    folders: {
      roots: {},
      browse: { path: p.imagesDir, extensions: ['.jpg'] },
      pick: { path: p.imagesDir },
      makeFolder: { parent: p.dir, name: 'made-by-fuzz' },
      pickNative: { kind: 'folder' },
      capabilities: {},
    },
    imports: {
      start: { folder: p.imagesDir },
      cancel: { importId: 1 },
      list: {},
      problems: { importId: 1, limit: 10 },
    },
    dataset: {
      classes: {},
      images: { filter: { classId: 1 }, offset: 0, limit: 50 },
      image: { id: 1 },
      problems: { offset: 0, limit: 10 },
      stats: {},
      modelView: { imageId: 1, inputSize: 32 },
    },
    labels: {
      assign: { imageIds: [1, 2, 3], classId: 1 },
      assignFilter: { filter: { unlabeled: true }, classId: 2 },
      setSplit: { imageIds: [1, 2], split: 'val' },
      setExcluded: { imageIds: [2], excluded: true },
      undo: {},
      redo: {},
      history: { limit: 10 },
    },
    classes: {
      create: { name: 'fuzz', color: '#1f77b4' },
      rename: { id: 3, name: 'renamed' },
      recolour: { id: 1, color: '#ff0000' },
      merge: { fromId: 3, intoId: 1 },
      delete: { id: 3 },
    },
    backbones: {
      list: {},
      download: { id: 'mobilenet_v2' },
      cancelDownload: { id: 'mobilenet_v2' },
      import: { file: join(p.dir, 'none.h5'), id: 'resnet50' },
    },
    runs: {
      start: {},
      cancel: { runId: 1 },
      resume: { runId: 1 },
      list: {},
      get: { runId: 1 },
      epochs: { runId: 1 },
      predictions: { runId: 1, limit: 5 },
      lrRangeTest: {},
      lrRangeCancel: {},
      groupSummary: { groupId: 1 },
      export: { runId: 1 },
      augmentPreview: { augment: {}, seed: 1, count: 2, views: 1, inputSize: 32 },
      bakeoff: {},
      bakeoffs: {},
      bakeoffSummary: { bakeoffId: 1 },
      suspects: { runId: 1 },
    },
    curation: {
      health: {},
      duplicates: {},
      fixLeakage: { clusterId: 'all' },
      split: { val: 0.2, test: 0.2, seed: 1, groupBy: { kind: 'pattern', regex: '(cat|dog)' } },
      manifest: { params: { seed: 1 } },
      exportCsv: { file: csv },
      importCsv: { file: csv },
    },
    assist: {
      state: {},
      refresh: {},
      cancel: {},
      suggestions: { which: 'all', minProbability: 0.5 },
      queue: { count: 5 },
      accept: { threshold: 0.9, preview: true },
      disagreements: { limit: 10 },
      similar: { imageId: 1, count: 5 },
    },
    map: {
      state: {},
      compute: {},
      cancel: {},
      points: { version: 1, offset: 0, limit: 10 },
      layers: { version: 1, offset: 0, limit: 10 },
    },
    system: { doctor: {} },
  };
}

/** Methods that only ever get inputs their schema refuses; why is beside each. */
export const NO_VALID_INPUT: Record<string, string> = {
  'project.open': 'switches or creates projects where the fuzzer points',
  'project.close': 'every later call would only meet no-project',
  'folders.pick': 'would grant a random path, which later calls could write to',
  'backbones.download': 'reaches for the network',
  'backbones.import': 'copies a weight file into the model cache',
  'runs.start': 'starts a training process',
  'runs.resume': 'starts a training process',
  'runs.lrRangeTest': 'starts a training process',
  'runs.bakeoff': 'starts training processes',
  'runs.export': 'writes a model where the fuzzer points',
  'system.doctor': 'loads TensorFlow.js and ONNX Runtime (seconds)',
  'project.restore': "replaces the project's database with a backup",
  'assist.refresh': 'starts a training process (the feature cache build)',
  'map.compute': 'starts a training process (the feature cache build)',
};

export const METHODS: [string, string][] = Object.entries(contract).flatMap(([s, ms]) =>
  Object.keys(ms).map((m): [string, string] => [s, m]),
);

const defOf = (service: string, method: string): MethodDef =>
  (contract as unknown as Record<string, Record<string, MethodDef>>)[service][method];

/** Whether the method's own schema would take this input, as the far end of the wire sees it. */
export function validInput(service: string, method: string, input: unknown): boolean {
  if (depthOf(input) > 62) return false;
  return defOf(service, method).input.safeParse(overJson(input) ?? {}).success;
}

function inputs(service: string, method: string, seed: Record<string, unknown>): fc.Arbitrary<unknown> {
  const any = fc.oneof(
    { weight: 2, arbitrary: fc.constant(seed) },
    { weight: 6, arbitrary: mutated(seed) },
    { weight: 2, arbitrary: wild() },
    fc.constant(undefined),
  );
  return `${service}.${method}` in NO_VALID_INPUT ? any.filter((input) => !validInput(service, method, input)) : any;
}

/** What the server should see: `usable` when the id is one a reply may echo. */
export interface FuzzCase {
  message: unknown;
  id: unknown;
  usable: boolean;
  target: string;
}

/** Keys the extra field may not take: it would replace a part the case chose (and its input might then be valid). */
const ENVELOPE_KEYS = ['kind', 'id', 'service', 'method', 'input'];

const usableId = (id: unknown) =>
  (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= CALL_ID_MAX);

const ids = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) },
    numbers(),
    fc.string({ maxLength: CALL_ID_MAX }),
    strings(),
    deep(),
    fc.constantFrom(null, true, undefined, [], {}, [1], { id: 1 }),
  );

const names = (real: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(real) },
    fc.constantFrom(...TRICKY_KEYS, 'x'.repeat(101)),
    strings(),
    wild(),
  );

/** One message: mostly a real method with a good id, sometimes every part poisoned. */
export function fuzzCases(p: FuzzPlace): fc.Arbitrary<FuzzCase> {
  const all = seeds(p) as unknown as Record<string, Record<string, Record<string, unknown>>>;
  const call = fc.constantFrom(...METHODS).chain(([service, method]) =>
    fc
      .record({
        kind: fc.oneof(
          { weight: 15, arbitrary: fc.constant('call') },
          fc.constantFrom('result', 'event', 'CALL', undefined, 7),
        ),
        id: ids(),
        service: names(service),
        method: names(method),
        input: inputs(service, method, all[service][method]),
        extra: fc.option(
          fc.tuple(
            keys().filter((k) => !ENVELOPE_KEYS.includes(k)),
            wild(),
          ),
          { freq: 10 },
        ),
      })
      .map(({ extra, ...envelope }): FuzzCase => {
        const message: Record<string, unknown> = { ...envelope };
        if (extra)
          Object.defineProperty(message, extra[0], {
            value: extra[1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return { message, id: message.id, usable: usableId(message.id), target: `${service}.${method}` };
      }),
  );
  const notAnObject = wild().filter(
    (v) => typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Deep || v instanceof Huge,
  );
  return fc.oneof(
    { weight: 30, arbitrary: call },
    notAnObject.map((message): FuzzCase => ({ message, id: undefined, usable: false, target: '(not a call)' })),
  );
}

const CODES = new Set([
  'invalid-input',
  'not-found',
  'method-not-found',
  'no-project',
  'project-too-new',
  'not-a-folder',
  'busy',
  'read-only',
  'disk-full',
  'corrupt-project',
  'cancelled',
  'path-not-allowed',
  'unsupported',
]);

/**
 * What is wrong with a reply, or null. Every message gets one: a result echoing a usable id, or
 * a refusal echoing nothing when the id is not usable (or, on the WebSocket, when the text nests
 * past the limit before it is parsed). An error is a known code with a message; 'internal' is a
 * crash in a call, which the fuzzer reports as a failure.
 */
export function replyProblem(c: FuzzCase, reply: unknown, textDepthRefused: boolean): string | null {
  const r = reply as {
    kind?: unknown;
    id?: unknown;
    ok?: unknown;
    value?: unknown;
    error?: { code?: unknown; message?: unknown };
  };
  if (typeof r !== 'object' || r === null) return 'not an object';
  const error = r.kind === 'refused' || r.ok === false ? r.error : undefined;
  if (error && (typeof error.code !== 'string' || !CODES.has(error.code)))
    return `error code ${String(error.code)}: ${String(error.message)}`;
  if (error && (typeof error.message !== 'string' || error.message.length === 0 || error.message.length > 10_000))
    return 'error without a readable message';
  if (r.kind === 'refused') return c.usable && !textDepthRefused ? 'refused a message whose id was usable' : null;
  if (r.kind !== 'result') return `kind ${String(r.kind)}`;
  if (!c.usable) return 'answered by an id that was not usable';
  if (r.id !== JSON.parse(JSON.stringify(c.id))) return `id ${String(r.id)} for ${String(c.id)}`;
  if (r.ok === true && c.target in NO_VALID_INPUT && isTarget(c))
    return `${c.target} ran, though its input was meant to be refused`;
  if (r.ok === true) return 'value' in r ? null : 'no value';
  return r.ok === false ? null : 'neither ok nor an error';
}

const isTarget = (c: FuzzCase) => {
  const m = c.message as { service?: unknown; method?: unknown };
  return `${String(m.service)}.${String(m.method)}` === c.target;
};
