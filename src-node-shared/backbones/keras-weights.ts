// Keras ImageNet weights for a registry entry: which of Keras' files serve it, which of
// them the per-user model cache holds, and loading one into the network built from code.
import type * as tf from '@tensorflow/tfjs';
import { ensureBackend } from '../backend';
import { findArch } from './arch';
import type { KerasArch, KerasWeights } from './arch';
import { applyKerasWeights } from './keras-h5-apply';
import { readKerasH5 } from './keras-h5-read';
import { cachedWeights, weightsPath } from './model-cache';
import type { CachedWeights } from './model-cache';
import type { AppliedWeights } from './keras-h5-apply';
import type { BackboneEntry } from './registry';

export interface KerasSource {
  arch: KerasArch;
  alpha?: number;
}

export function kerasSourceOf(entry: BackboneEntry): KerasSource | null {
  return entry.source.kind === 'keras' ? { arch: findArch(entry.source.arch), alpha: entry.source.alpha } : null;
}

/**
 * Keras' file for this size first, then the one for the default size. Convolution weights
 * do not depend on the input size, so any of a variant's files loads; Keras itself falls
 * back to the 224 px file for sizes it has none for.
 */
export function weightFilesFor(src: KerasSource, inputSize: number): KerasWeights[] {
  const exact = src.arch.weights({ inputSize, alpha: src.alpha });
  const standard = src.arch.weights({ inputSize: src.arch.defaultInputSize, alpha: src.alpha });
  return exact.file === standard.file ? [exact] : [exact, standard];
}

export interface PresentWeights {
  weights: KerasWeights;
  path: string;
  cached: CachedWeights;
}

/** The cached file that serves `entry` at `inputSize`, or null when none is present. */
export function presentWeights(
  entry: BackboneEntry,
  inputSize: number,
  cached: readonly CachedWeights[],
  cacheDir: string,
): PresentWeights | null {
  const src = kerasSourceOf(entry);
  if (!src) return null;
  const byFile = new Map(cached.map((c) => [c.file, c]));
  for (const w of weightFilesFor(src, inputSize)) {
    const hit = byFile.get(w.file);
    if (hit) return { weights: w, path: weightsPath(cacheDir, w.file), cached: hit };
  }
  return null;
}

export class WeightsMissingError extends Error {
  override name = 'WeightsMissingError';
  constructor(
    readonly entryId: string,
    readonly weights: KerasWeights,
    cacheDir: string,
  ) {
    super(
      `The ImageNet weights for "${entryId}" (${weights.file}) are not in the model cache (${cacheDir}). ` +
        `Download them from the launcher or with \`studio backbones download ${entryId}\` (from ${weights.url}), ` +
        `or import a copy you have with \`studio backbones import FILE --arch ${entryId}\`.`,
    );
  }
}

/** Builds the network from code and fills it from Keras' .h5; the file's sha256 identifies the weights. */
export async function loadKerasBackbone(
  entry: BackboneEntry,
  inputSize: number,
  cacheDir: string,
): Promise<{ model: tf.LayersModel; hash: string }> {
  const src = kerasSourceOf(entry);
  if (!src) throw new Error(`backbone "${entry.id}" is not a Keras architecture`);
  const found = presentWeights(entry, inputSize, await cachedWeights(cacheDir), cacheDir);
  if (!found) throw new WeightsMissingError(entry.id, weightFilesFor(src, inputSize)[0]!, cacheDir);
  const { model } = await buildWithWeights(src, inputSize, found.path);
  return { model, hash: found.cached.sha256 };
}

async function buildWithWeights(
  src: KerasSource,
  inputSize: number,
  file: string,
): Promise<{ model: tf.LayersModel; checked: AppliedWeights; kerasVersion: string | null }> {
  const h5 = await readKerasH5(file);
  const model = src.arch.build({ inputSize, alpha: src.alpha });
  try {
    return { model, checked: applyKerasWeights(model, h5, file), kerasVersion: h5.kerasVersion };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Loads a user's file into the architecture once, so a wrong file is refused before it is cached. */
export async function checkKerasFile(
  entry: BackboneEntry,
  file: string,
): Promise<AppliedWeights & { kerasVersion: string | null }> {
  const src = kerasSourceOf(entry);
  if (!src)
    throw new Error(`backbone "${entry.id}" is not a Keras architecture; only Keras Applications take .h5 weights`);
  await ensureBackend();
  const { model, checked, kerasVersion } = await buildWithWeights(src, src.arch.defaultInputSize, file);
  model.dispose();
  return { ...checked, kerasVersion };
}
