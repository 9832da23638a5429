// Read-only views of the dataset for the browser and the command line.
import type { Handlers } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import type {
  ClassInfo,
  DatasetStats,
  ImageDetail,
  ImageFilter,
  ImageSummary,
  Problem,
} from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { listClassRows } from '../../store/repos/classes';
import {
  countBySplit,
  countExcluded,
  countImages,
  imageDetail,
  imagePaths,
  pageImages,
} from '../../store/repos/images';
import { countProblems, countProblemsByKind, pageProblems } from '../../store/repos/problems';
import { modelView } from './model-view';

/** The contract's dataset slice, over the open project's database. */
export function datasetHandlers(db: () => Database): Handlers['dataset'] {
  return {
    classes: () => listClasses(db()),
    images: ({ filter, offset, limit }) => listImages(db(), filter, offset, limit),
    image: ({ id }) => getImage(db(), id),
    problems: ({ offset, limit }) => listProblems(db(), offset, limit),
    stats: () => datasetStats(db()),
    modelView: ({ imageId, inputSize }) => modelView(db(), imageId, inputSize),
  };
}

export function listClasses(db: Database): ClassInfo[] {
  return listClassRows(db);
}

/** One page of images in id order, so pages never shift while the user scrolls. */
export function listImages(
  db: Database,
  filter: ImageFilter,
  offset: number,
  limit: number,
): { total: number; items: ImageSummary[] } {
  return db.transaction(() => ({ total: countImages(db, filter), items: pageImages(db, filter, offset, limit) }))();
}

export function getImage(db: Database, id: number): ImageDetail {
  const row = imageDetail(db, id);
  if (!row)
    throw new StudioError(
      'not-found',
      `There is no image ${id} in this project; it may have been removed. Refresh the view.`,
    );
  return { ...row, paths: imagePaths(db, id) };
}

export function listProblems(db: Database, offset: number, limit: number): { total: number; items: Problem[] } {
  return db.transaction(() => ({ total: countProblems(db), items: pageProblems(db, offset, limit) }))();
}

export function datasetStats(db: Database): DatasetStats {
  return db.transaction(() => {
    const perSplit = { train: 0, val: 0, test: 0, none: 0 };
    for (const { split, n } of countBySplit(db)) perSplit[split ?? 'none'] = n;
    return {
      total: countImages(db),
      unlabeled: countImages(db, { unlabeled: true }),
      perClass: listClassRows(db).map(({ name, count }) => ({ name, count })),
      perSplit,
      excluded: countExcluded(db),
      problems: countProblemsByKind(db),
    };
  })();
}
