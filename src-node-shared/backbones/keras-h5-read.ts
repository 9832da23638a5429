// Reads a Keras weight file (.h5) into memory with h5wasm, in the layouts Keras itself
// reads: the legacy one of keras/src/legacy/saving/legacy_h5_format.py (Keras 1, 2 and
// Keras 3's `save_weights('x.h5')`, at the root or under `model_weights/` in a full
// model file) and Keras 3's native `.weights.h5` (saving_lib.H5IOStore).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Group } from 'h5wasm/node';

// h5wasm is 4 MB of JavaScript with its wasm inlined, so it is loaded on the first read, not
// on import: most processes that import this module (the studio, the CLI, the tests that reach
// the backbone registry) never read an .h5. Under tsx every import of it cost about 2 s of CPU
// (tsx source-maps the whole file), in each test file that reached it.
let h5wasm: (typeof import('h5wasm/node'))['default'];

export type KerasH5Layout = 'keras1' | 'keras2' | 'keras3-legacy' | 'keras3-weights';

export interface KerasH5Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface KerasH5Layer {
  /** The layer's name; for 'keras3-weights' the name Keras stored with it, else its path. */
  name: string;
  /** 'keras3-weights' only: where Keras keeps the layer (`layers/conv2d_1`), the key it loads by. */
  path?: string;
  weights: KerasH5Weight[];
}

export interface KerasH5 {
  kerasVersion: string | null;
  backend: string | null;
  layout: KerasH5Layout;
  /** Layers holding weights, in the order Keras pairs them with a model's layers. */
  layers: KerasH5Layer[];
}

// HDF5's superblock sits at 0 or, after a user block, at 512, 1024, 2048, ...
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(path: string): boolean {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      readSync(fd, buf, 0, 8, at);
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** An attribute's strings, whether stored fixed-length (numpy `S`) or variable-length. */
function strings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value.replace(/\0+$/, '')];
  if (value instanceof Uint8Array) return [new TextDecoder().decode(value).replace(/\0+$/, '')];
  // An empty list is written by numpy as a float64 array of length 0.
  if (ArrayBuffer.isView(value)) return [];
  if (Array.isArray(value)) return value.flatMap(strings);
  return [String(value)];
}

function attrNames(group: Group): Set<string> {
  return new Set(Object.keys(group.attrs));
}

function readAttr(group: Group, name: string): string[] {
  return strings(group.get_attribute(name, false));
}

/** load_attributes_from_hdf5_group: `name`, or else `name0`, `name1`, ... until one is missing. */
export function readSplitAttribute(group: Group, name: string): string[] | null {
  const names = attrNames(group);
  if (names.has(name)) return readAttr(group, name);
  if (!names.has(`${name}0`)) return null;
  const out: string[] = [];
  for (let i = 0; names.has(`${name}${i}`); i++) out.push(...readAttr(group, `${name}${i}`));
  return out;
}

function scalarAttr(group: Group, name: string): string | null {
  return attrNames(group).has(name) ? (readAttr(group, name)[0] ?? null) : null;
}

function readDataset(group: Group, name: string, where: string): KerasH5Weight {
  const ds = group.get(name);
  if (!(ds instanceof h5wasm.Dataset))
    throw new Error(
      `${where}: weight "${name}" of layer ${group.path} is named in weight_names but is not a dataset in the file`,
    );
  const raw = ds.value;
  let values: Float32Array;
  if (raw instanceof Float32Array) values = raw;
  else if (raw instanceof Float64Array) values = Float32Array.from(raw);
  else
    throw new Error(
      `${where}: weight ${group.path}/${name} has dtype ${String(ds.dtype)}; only float32 and float64 weights load`,
    );
  return { name, shape: [...(ds.shape ?? [])], values };
}

function legacyLayout(version: string | null, weightNames: string[]): KerasH5Layout {
  if (version?.startsWith('3') || (weightNames.length > 0 && !weightNames.some((n) => /:\d+$/.test(n))))
    return 'keras3-legacy';
  // Keras 1 (and Keras 2.0.x files converted from it) name weights `block1_conv1_W_1:0`, without the layer's scope.
  return weightNames.length > 0 && !weightNames.some((n) => n.includes('/')) ? 'keras1' : 'keras2';
}

function readLegacy(root: Group, where: string): KerasH5 {
  const layerNames = readSplitAttribute(root, 'layer_names') ?? [];
  const layers: KerasH5Layer[] = [];
  for (const layerName of layerNames) {
    const g = root.get(layerName);
    if (!(g instanceof h5wasm.Group))
      throw new Error(`${where}: layer "${layerName}" is listed in layer_names but has no group in the file`);
    const weightNames = readSplitAttribute(g, 'weight_names') ?? [];
    if (weightNames.length === 0) continue;
    layers.push({ name: layerName, weights: weightNames.map((n) => readDataset(g, n, where)) });
  }
  const kerasVersion = scalarAttr(root, 'keras_version');
  return {
    kerasVersion,
    backend: scalarAttr(root, 'backend'),
    layout: legacyLayout(
      kerasVersion,
      layers.flatMap((l) => l.weights.map((w) => w.name)),
    ),
    layers,
  };
}

// `conv2d_10` after `conv2d_9`: HDF5 lists a group's members by name, Keras numbered them in order.
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Keras 3 .weights.h5: each layer of a Functional/Sequential model at `layers/<snake_case class>[_n]/vars/<i>`. */
function readWeightsH5(root: Group, where: string): KerasH5 {
  const layersGroup = root.get('layers');
  const layers: KerasH5Layer[] = [];
  if (layersGroup instanceof h5wasm.Group) {
    for (const key of layersGroup.keys().sort(naturalCompare)) {
      const vars = layersGroup.get(`${key}/vars`);
      if (!(vars instanceof h5wasm.Group)) continue;
      const indices = vars
        .keys()
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b));
      if (indices.length === 0) continue;
      const stored = scalarAttr(vars, 'name');
      layers.push({
        name: stored ?? key,
        path: `layers/${key}`,
        weights: indices.map((i) => readDataset(vars, i, where)),
      });
    }
  }
  return { kerasVersion: null, backend: null, layout: 'keras3-weights', layers };
}

function isLegacyRoot(g: Group): boolean {
  const names = attrNames(g);
  return names.has('layer_names') || names.has('layer_names0');
}

function readOpenFile(file: Group, path: string): KerasH5 {
  if (isLegacyRoot(file)) return readLegacy(file, path);
  const mw = file.get('model_weights');
  if (mw instanceof h5wasm.Group && isLegacyRoot(mw)) return readLegacy(mw, path);
  if (file.get('layers') instanceof h5wasm.Group) return readWeightsH5(file, path);
  throw new Error(
    `${path} is an HDF5 file but not Keras weights: expected a root attribute layer_names (a weights file from ` +
      'save_weights), a model_weights group (a full model from model.save) or a layers group (a Keras 3 .weights.h5)',
  );
}

/**
 * HDF5's last frame says what it found (`truncated file: eof = 1000000, ... stored_eof =
 * 2108140`); the frames above it are the C call stack, of no use to a user.
 */
export function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const frames = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)/g)];
  return frames.at(-1)?.[1]?.trim() ?? text.split('\n')[0]!.replace(/^Error: /, '');
}

/**
 * Runs `fn` with HDF5's errors thrown as JS errors instead of printed: left to itself the
 * C library writes 20-50 lines of HDF5-DIAG straight to fd 2, past console and process.stderr.
 */
function withThrowingHdf5<T>(
  module: { activate_throwing_error_handler(): number; deactivate_throwing_error_handler(): number },
  fn: () => T,
): T {
  module.activate_throwing_error_handler();
  try {
    return fn();
  } finally {
    module.deactivate_throwing_error_handler();
  }
}

function openH5(path: string): InstanceType<typeof h5wasm.File> {
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (err) {
    throw new Error(
      `${path} has an HDF5 signature but HDF5 could not open it (${hdf5Reason(err)}): a truncated download or a damaged file? Download or copy it again`,
    );
  }
  if (file.file_id < 0n)
    throw new Error(
      `${path} has an HDF5 signature but HDF5 could not open it (a truncated download or a damaged file?); expected a whole Keras .h5 weight file`,
    );
  return file;
}

/** Reads every weight of a Keras .h5 into memory; the file is closed before this returns. */
export async function readKerasH5(path: string): Promise<KerasH5> {
  try {
    if (!hasHdf5Signature(path)) throw new Error('no HDF5 signature');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not an HDF5 file';
    throw new Error(`${path} cannot be read as Keras weights: ${why}; expected a Keras .h5 weight file (HDF5)`);
  }
  h5wasm ??= (await import('h5wasm/node')).default;
  const module = await h5wasm.ready;
  return withThrowingHdf5(module, () => {
    const file = openH5(path);
    try {
      return readOpenFile(file, path);
    } catch (err) {
      if (err instanceof Error && !err.message.includes('HDF5-DIAG')) throw err;
      throw new Error(`${path} is damaged: HDF5 failed reading it (${hdf5Reason(err)}). Download or copy it again`);
    } finally {
      file.close();
    }
  });
}
