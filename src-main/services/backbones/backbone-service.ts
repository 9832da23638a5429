// Backbones and their weights, for every project: the registry with what the per-user
// model cache holds, downloads of Keras' ImageNet files with progress and cancel, and
// imports of .h5 files a user already has (checked layer by layer before they are kept).
import type { BackboneDownload, BackboneImportOutput, BackboneInfo } from '../../../src-shared/backbones';
import type { Slice } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import { refuseProjectFile } from '../folders/access';
import { DownloadCancelled, downloadWeights } from './download';
import type { WeightsProgress } from './download';
import { checkKerasFile, kerasSourceOf, weightFilesFor } from '../../../src-node-shared/backbones/keras-weights';
import { DamagedWeightsError } from '../../../src-node-shared/backbones/keras-h5-values';
import {
  cachedWeights,
  importWeightsFile,
  modelCacheDir,
  previousPath,
  readCachedWeights,
} from '../../../src-node-shared/backbones/model-cache';
import { findBackbone } from '../../../src-node-shared/backbones/registry';
import type { BackboneEntry } from '../../../src-node-shared/backbones/registry';
import { listBackbones } from './backbone-info';

export interface BackboneServiceOptions {
  /** The model cache to use as it is; by default STUDIO_MODEL_CACHE, else ~/.cache/finetune-studio/models. */
  cacheDir?: string;
  emit?: (d: BackboneDownload) => void;
}

/** The backbones slice of the contract (its import's file is checked by the contract's path guard). */
export class BackboneService implements Slice<'backbones'> {
  readonly cacheDir: string;
  readonly #emit: (d: BackboneDownload) => void;
  readonly #downloads = new Map<
    string,
    { controller: AbortController; state: BackboneDownload; done: Promise<BackboneDownload> }
  >();

  constructor(opts: BackboneServiceOptions = {}) {
    this.cacheDir = opts.cacheDir ?? modelCacheDir();
    this.#emit = opts.emit ?? (() => undefined);
  }

  async list(): Promise<BackboneInfo[]> {
    return listBackbones(await cachedWeights(this.cacheDir), this.cacheDir);
  }

  /** `id` is a registry entry (the caller has found it): the list holds every one. */
  async #info(id: string): Promise<BackboneInfo> {
    return (await this.list()).find((b) => b.id === id)!;
  }

  #entry(id: string): BackboneEntry {
    try {
      return findBackbone(id);
    } catch (err) {
      throw new StudioError('not-found', (err as Error).message);
    }
  }

  #keras(id: string): BackboneEntry {
    const entry = this.#entry(id);
    if (!kerasSourceOf(entry)) {
      throw new StudioError(
        'invalid-input',
        `backbone "${id}" has bundled weights; only Keras Applications (e.g. mobilenet_v2, resnet50) take downloaded or imported .h5 files`,
      );
    }
    return entry;
  }

  /** Starts (or joins) the download; resolves at once with its first state. */
  async download({ id }: { id: string }): Promise<BackboneDownload> {
    const running = this.#downloads.get(id);
    if (running) return running.state;
    const entry = this.#keras(id);
    refuseProjectFile(this.cacheDir, 'The model cache');
    const w = weightFilesFor(kerasSourceOf(entry)!, entry.inputSize)[0]!;
    const controller = new AbortController();
    const state: BackboneDownload = {
      id,
      file: w.file,
      url: w.url,
      state: 'downloading',
      bytes: 0,
      total: null,
      bytesPerSecond: 0,
      etaSeconds: null,
      message: null,
    };
    const update = (next: Partial<BackboneDownload>) => {
      Object.assign(state, next);
      this.#emit({ ...state });
      return { ...state };
    };
    const done = downloadWeights(w, this.cacheDir, {
      signal: controller.signal,
      archId: id,
      onProgress: (p: WeightsProgress) => update(p),
    })
      .then(() => update({ state: 'done', etaSeconds: 0 }))
      .catch((err: unknown) =>
        err instanceof DownloadCancelled || (err as Error).name === 'AbortError'
          ? update({
              state: 'cancelled',
              message: `Download of ${w.file} cancelled; what arrived is kept and the next download resumes it.`,
            })
          : update({ state: 'failed', message: (err as Error).message }),
      )
      .finally(() => this.#downloads.delete(id));
    this.#downloads.set(id, { controller, state, done });
    update({});
    return { ...state };
  }

  /** Resolves when the download of `id` (if any) has ended, with how it ended. */
  async settled(id: string): Promise<BackboneDownload | null> {
    return (await this.#downloads.get(id)?.done) ?? null;
  }

  cancelDownload({ id }: { id: string }): null {
    this.#downloads.get(id)?.controller.abort();
    return null;
  }

  /**
   * Copies `file` into the cache, checks the copy (shapes and values) and only then puts it
   * in place; a different cached file it replaces is named in the answer and kept.
   */
  async import({ file, id }: { file: string; id: string }): Promise<BackboneImportOutput> {
    const entry = this.#keras(id);
    const target = weightFilesFor(kerasSourceOf(entry)!, entry.inputSize)[0]!.file;
    refuseProjectFile(this.cacheDir, 'The model cache');
    const before = readCachedWeights(this.cacheDir, target);
    let checked: Awaited<ReturnType<typeof checkKerasFile>> | undefined;
    const after = await importWeightsFile(file, target, this.cacheDir, async (copy) => {
      try {
        checked = await checkKerasFile(entry, copy);
      } catch (err) {
        throw importRefusal(err, file, copy, entry.label);
      }
    });
    const replaced =
      before && before.sha256 !== after.sha256
        ? { sha256: before.sha256, addedAt: before.addedAt, keptAs: previousPath(this.cacheDir, target) }
        : null;
    return {
      info: await this.#info(id),
      layers: checked!.layers,
      params: checked!.params,
      kerasVersion: checked!.kerasVersion,
      replaced,
    };
  }

  /** Downloads that are still going are cancelled (their parts are kept). */
  close(): void {
    for (const d of this.#downloads.values()) d.controller.abort();
  }
}

/** The check ran on the cache's temp copy: the user's message names their own file. */
function importRefusal(err: unknown, file: string, copy: string, label: string): StudioError {
  const message = ((err as Error).message ?? String(err)).split(copy).join(file);
  if (err instanceof DamagedWeightsError || /is damaged/.test(message))
    return new StudioError('invalid-input', `${message} The model cache was left as it was.`);
  return new StudioError('invalid-input', `${file} does not fit ${label}: ${message}`);
}
