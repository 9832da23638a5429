// The grid's selection as the map draws it, and what a lasso makes of it. "All in view" holds
// no ids, so the map works out which of its points the grid's filter shows from its own
// colouring layers (label, split) and the filter's listed ids: every filter field is there.
import { SPLIT_CODES } from '../../src-shared/map';
import type { ImageFilter } from '../../src-shared/schemas';
import type { MapPointSet, PointLayers } from './map-data';

/** The grid's selection: everything in view but some, or these images (the cursor's alone when nothing is picked). */
export type MapSelection = { kind: 'all'; except: ReadonlySet<number> } | { kind: 'ids'; ids: ReadonlySet<number> };

/** 1 for each point the filter shows; null while the layers it needs have not arrived. */
export function inViewMask(filter: ImageFilter, points: MapPointSet, layers: PointLayers | null): Uint8Array | null {
  const listed = filter.imageIds ? new Set(filter.imageIds) : null;
  const byClass = filter.unlabeled ? -1 : filter.classId;
  const split =
    filter.split === undefined ? undefined : SPLIT_CODES.indexOf(filter.split === 'none' ? null : filter.split);
  if ((byClass !== undefined || split !== undefined) && !layers) return null;
  const mask = new Uint8Array(points.count);
  for (let i = 0; i < points.count; i++) {
    const shown =
      (listed === null || listed.has(points.ids[i]!)) &&
      (byClass === undefined || layers!.classId[i] === byClass) &&
      (split === undefined || layers!.split[i] === split);
    mask[i] = shown ? 1 : 0;
  }
  return mask;
}

/** 1 for each selected point; null when none is (or the view is not known yet). */
export function selectionMask(
  selection: MapSelection,
  filter: ImageFilter,
  points: MapPointSet,
  layers: PointLayers | null,
): Uint8Array | null {
  if (selection.kind === 'ids') {
    if (selection.ids.size === 0) return null;
    const mask = new Uint8Array(points.count);
    for (const id of selection.ids) {
      const i = points.indexOf.get(id);
      if (i !== undefined) mask[i] = 1;
    }
    return mask;
  }
  const mask = inViewMask(filter, points, layers);
  if (!mask) return null;
  for (const id of selection.except) {
    const i = points.indexOf.get(id);
    if (i !== undefined) mask[i] = 0;
  }
  return mask;
}

/**
 * The selection after a lasso over `ids`. A plain lasso selects exactly them. A Ctrl-lasso
 * adds them: to explicit ids, a union; to "all in view but some", it takes back the ones
 * left out, and stays "all in view" (so the grid's count and a bulk label still cover images
 * the map has no point for). Only when it runs over images outside the view does the
 * selection become explicit: the points drawn selected, plus the lasso.
 */
export function afterLasso(
  selection: MapSelection,
  ids: number[],
  additive: boolean,
  view: { filter: ImageFilter; points: MapPointSet; layers: PointLayers | null },
): MapSelection {
  if (!additive) return { kind: 'ids', ids: new Set(ids) };
  if (selection.kind === 'ids') return { kind: 'ids', ids: new Set([...selection.ids, ...ids]) };
  const { filter, points, layers } = view;
  // Until the layers tell the view, the lassoed points count as in it: nothing is dropped.
  const shown = inViewMask(filter, points, layers);
  const outside = shown ? ids.filter((id) => shown[points.indexOf.get(id) ?? -1] !== 1) : [];
  if (outside.length === 0) {
    const except = new Set(selection.except);
    for (const id of ids) except.delete(id);
    return { kind: 'all', except };
  }
  const drawn = selectionMask(selection, filter, points, layers);
  const kept = drawn ? Array.from(points.ids).filter((_, i) => drawn[i] === 1) : [];
  return { kind: 'ids', ids: new Set([...kept, ...ids]) };
}
