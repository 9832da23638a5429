// Read-only views of the dataset for the browser and the command line: the dataset slice of the contract.
import type { ParsedInput, Slice } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import type { ClassInfo, DatasetStats, ImageDetail, ImageSummary, Problem } from '../../../src-shared/schemas';
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

/** The dataset slice of the contract, over the open project's database. */
export class DatasetService implements Slice<'dataset'> {
  constructor(readonly db: () => Database) {}

  classes(): ClassInfo[] {
    return listClassRows(this.db());
  }

  /** One page of images in id order, so pages never shift while the user scrolls. */
  images({ filter, offset, limit }: ParsedInput<'dataset', 'images'>): { total: number; items: ImageSummary[] } {
    const db = this.db();
    return db.transaction(() => ({ total: countImages(db, filter), items: pageImages(db, filter, offset, limit) }))();
  }

  image({ id }: { id: number }): ImageDetail {
    const db = this.db();
    const row = imageDetail(db, id);
    if (!row)
      throw new StudioError(
        'not-found',
        `There is no image ${id} in this project; it may have been removed. Refresh the view.`,
      );
    return { ...row, paths: imagePaths(db, id) };
  }

  problems({ offset, limit }: ParsedInput<'dataset', 'problems'>): { total: number; items: Problem[] } {
    const db = this.db();
    return db.transaction(() => ({ total: countProblems(db), items: pageProblems(db, offset, limit) }))();
  }

  stats(): DatasetStats {
    const db = this.db();
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

  /** The image as the backbone gets it, as a base64 PNG. */
  modelView({ imageId, inputSize }: ParsedInput<'dataset', 'modelView'>) {
    return modelView(this.db(), imageId, inputSize);
  }
}
