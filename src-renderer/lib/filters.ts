// The grid's filter as the controls see it. The class list and the filter bar both edit
// the same ImageFilter; these helpers keep "one class" and "unlabeled" exclusive.
import type { ImageFilter, Split } from '../../src-shared/schemas';

/** What the class list can pick: every image, one class, or the images without a class. */
export type ClassPick = { kind: 'all' } | { kind: 'class'; id: number } | { kind: 'unlabeled' };

export type SplitPick = Split | 'none' | 'any';

export function classPickOf(filter: ImageFilter): ClassPick {
  if (filter.unlabeled) return { kind: 'unlabeled' };
  if (filter.classId !== undefined) return { kind: 'class', id: filter.classId };
  return { kind: 'all' };
}

export function withClassPick(filter: ImageFilter, pick: ClassPick): ImageFilter {
  const { split } = filter;
  if (pick.kind === 'class') return { split, classId: pick.id };
  if (pick.kind === 'unlabeled') return { split, unlabeled: true };
  return { split };
}

export function withSplit(filter: ImageFilter, split: SplitPick): ImageFilter {
  return { ...filter, split: split === 'any' ? undefined : split };
}

export function isFiltered(filter: ImageFilter): boolean {
  return (
    filter.classId !== undefined ||
    filter.split !== undefined ||
    filter.unlabeled === true ||
    filter.imageIds !== undefined
  );
}

export function sameClassPick(a: ClassPick, b: ClassPick): boolean {
  return a.kind === b.kind && (a.kind !== 'class' || (b.kind === 'class' && a.id === b.id));
}

/** Whether an image given this class still shows under the filter (labelling never changes its split). */
export function classInView(classId: number | null, filter: ImageFilter): boolean {
  if (filter.unlabeled) return classId === null;
  return filter.classId === undefined || filter.classId === classId;
}
