// From the project's store to what the training process needs: the run's frozen
// image list (planned from the labels and splits as they are when the run starts) and, at
// each start or resume, the file behind every image of it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { RunData, RunDirs, RunImage } from '../../../src-shared/engine-protocol';
import type { Database } from '../../store/db';
import { imageIdsByHash, labeledImages, pathsByImage } from '../../store/repos/images';
import type { Project } from '../project/project';
import { planImageLists } from './run-image-list';
import { modelCacheDir } from '../../../src-node-shared/backbones/model-cache';
import type { RunImageListEntry, Plan, RunImageList } from './run-image-list';
import { plural } from '../../../src-shared/plural';

export function planFromStore(db: Database, seed: number, folds?: number): Plan {
  return planImageLists(labeledImages(db), seed, folds);
}

/** `modelCache` is the per-user model cache (the studio's BackboneService knows it). */
export function runDirs(project: Project, runId: number, modelCache = modelCacheDir()): RunDirs {
  return {
    featureCache: join(project.dir, 'cache', 'features'),
    modelCache,
    run: join(project.dir, 'runs', String(runId)),
  };
}

/** Each image's first recorded path still on disk; a run refuses to start without them all. */
export function runDataOf(db: Database, m: RunImageList): RunData {
  const all = [...m.train, ...m.val, ...m.test];
  const ids = imageIdsByHash(
    db,
    all.map((e) => e.hash),
  );
  const paths = pathsByImage(db);
  const missing: string[] = [];
  const resolve = (e: RunImageListEntry): RunImage => {
    const id = ids.get(e.hash);
    const found = id === undefined ? undefined : (paths.get(id) ?? []).find((p) => existsSync(p));
    if (!found)
      missing.push(
        id === undefined
          ? `image ${e.hash.slice(0, 12)} (removed from the project)`
          : (paths.get(id)?.[0] ?? `image ${e.hash.slice(0, 12)}`),
      );
    return { hash: e.hash, path: found ?? '-', label: e.label };
  };
  const data = { classes: m.classes, train: m.train.map(resolve), val: m.val.map(resolve), test: m.test.map(resolve) };
  if (missing.length) {
    throw new StudioError(
      'not-found',
      `${plural(missing.length, 'image')} of this run can no longer be read (first: ${missing[0]}). ` +
        'Put the files back or import their new folder, then start the run again.',
    );
  }
  return data;
}
