// What the contract returns from one finished training of the assistant, read against the
// labels as they are now (a label given since the training is honoured at once).
import type { DisagreementsOutput, SimilarOutput, Suggestion, SuggestionsOutput } from '../../../src-shared/assist';
import { StudioError } from '../../../src-shared/errors';
import type { ParsedInput } from '../../../src-shared/contract';
import { findLabelSuspects, type OutOfFold } from '../../../src-shared/suspects';
import type { z } from 'zod';
import type { HeldFeatures } from './feature-store';
import { top2 } from './model/assistant';
import { nearestRows } from './model/neighbours';
import { labelQueue } from './model/queue';

export interface Trained {
  version: number;
  features: HeldFeatures;
  /** Class index -> class id. */
  classIds: number[];
  /** Per feature row, the class index it was trained with (-1: unlabeled then). */
  labelsAtFit: Int32Array;
  probs: Float32Array;
  /** Labeled rows cross-validated, and their out-of-fold probabilities. */
  cvRows: Int32Array;
  oof: Float32Array;
}

/** Image id -> its class id now (null: unlabeled). */
export type CurrentLabels = Map<number, number | null>;

export function suggestionOf(t: Trained, row: number, now: CurrentLabels): Suggestion {
  const k = t.classIds.length;
  const { best, probability, margin } = top2(t.probs, row, k);
  const imageId = t.features.imageIds[row]!;
  return {
    imageId,
    hash: t.features.hashes[row]!,
    classId: t.classIds[best]!,
    probability,
    margin,
    labelClassId: now.get(imageId) ?? null,
  };
}

type Query = ParsedInput<'assist', 'suggestions'>;

function wanted(q: Query, s: Suggestion): boolean {
  if (q.which === 'unlabeled' && s.labelClassId !== null) return false;
  if (q.which === 'labeled' && s.labelClassId === null) return false;
  if (q.classId !== undefined && s.classId !== q.classId) return false;
  return q.minProbability === undefined || s.probability >= q.minProbability;
}

const orders = {
  confidence: (a: Suggestion, b: Suggestion) => b.probability - a.probability || a.imageId - b.imageId,
  uncertainty: (a: Suggestion, b: Suggestion) => a.margin - b.margin || a.imageId - b.imageId,
  image: (a: Suggestion, b: Suggestion) => a.imageId - b.imageId,
};

export function suggestionsOf(t: Trained, now: CurrentLabels, q: Query): SuggestionsOutput {
  const rows = q.imageIds
    ? q.imageIds.flatMap((id) => (t.features.rowOf.has(id) ? [t.features.rowOf.get(id)!] : []))
    : Array.from(t.features.imageIds, (_, i) => i);
  const all = rows
    .map((r) => suggestionOf(t, r, now))
    .filter((s) => wanted(q, s))
    .sort(orders[q.sort]);
  return { version: t.version, total: all.length, items: all.slice(q.offset, q.offset + q.limit) };
}

/** The next images to label: uncertainty, then diversity among the uncertain (model/queue.ts). */
export function queueOf(t: Trained, now: CurrentLabels, count: number): Suggestion[] {
  const unlabeled = Int32Array.from(
    Array.from(t.features.imageIds).flatMap((id, r) => (now.get(id) == null ? [r] : [])),
  );
  const margins = Float32Array.from(unlabeled, (r) => top2(t.probs, r, t.classIds.length).margin);
  const order = labelQueue({ features: t.features, rows: unlabeled, margins, count });
  return order.map((i) => suggestionOf(t, unlabeled[i]!, now));
}

export type Disagreement = z.infer<typeof DisagreementsOutput>['items'][number];

/** Confident learning over the assistant's out-of-fold predictions, for images whose label is unchanged since. */
export function assistantSuspects(t: Trained, now: CurrentLabels): Disagreement[] {
  const k = t.classIds.length;
  const rows: OutOfFold[] = [];
  t.cvRows.forEach((row, i) => {
    const imageId = t.features.imageIds[row]!;
    const given = t.labelsAtFit[row]!;
    if (now.get(imageId) !== t.classIds[given]) return;
    rows.push({ imageId, given, probs: Array.from(t.oof.subarray(i * k, (i + 1) * k)) });
  });
  return findLabelSuspects(rows, k).map((s) => ({
    imageId: s.imageId,
    labelClassId: t.classIds[s.given]!,
    suggestedClassId: t.classIds[s.suggested]!,
    selfConfidence: s.selfConfidence,
    source: 'assistant' as const,
  }));
}

/** One list, most doubted first: an image both sources doubt is kept once, as 'both', at its lower self-confidence. */
export function mergeSuspects(assistant: Disagreement[], runs: Disagreement[]): Disagreement[] {
  const byId = new Map(assistant.map((d) => [d.imageId, d]));
  for (const r of runs) {
    const a = byId.get(r.imageId);
    byId.set(r.imageId, a ? { ...a, source: 'both', selfConfidence: Math.min(a.selfConfidence, r.selfConfidence) } : r);
  }
  return [...byId.values()].sort((a, b) => a.selfConfidence - b.selfConfidence || a.imageId - b.imageId);
}

/** "More like this": the nearest images by the features the assistant trained on, labeled or not. */
export function similarOf(t: Trained, imageId: number, count: number, now: CurrentLabels): SimilarOutput {
  const row = t.features.rowOf.get(imageId);
  if (row === undefined)
    throw new StudioError(
      'not-found',
      `Image ${imageId} has no features in the assistant: its file is missing, or it came after the last training.`,
    );
  const { x, d, imageIds, hashes } = t.features;
  const items = nearestRows(x, d, row, count).map((nb) => ({
    imageId: imageIds[nb.row]!,
    hash: hashes[nb.row]!,
    distance: nb.distance,
    labelClassId: now.get(imageIds[nb.row]!) ?? null,
  }));
  return { version: t.version, imageId, items };
}
