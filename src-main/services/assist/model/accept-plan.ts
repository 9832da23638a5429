// "Accept N suggestions above p for class X": which unlabeled images would be labeled with
// what, decided before anything changes, so the preview shows exactly what the edit does.

export interface Suggested {
  imageId: number;
  classId: number;
  probability: number;
}

export interface AcceptPlan {
  /** Highest probability first; the edit labels exactly these. */
  items: Suggested[];
  perClass: Map<number, number>;
}

/** Suggestions at or above `threshold`, for one class or all; images already labeled are never in `suggestions`. */
export function planAccept(suggestions: readonly Suggested[], threshold: number, classId: number | null): AcceptPlan {
  if (!(threshold >= 0 && threshold <= 1))
    throw new Error(`accept-above: the probability must be between 0 and 1, got ${threshold}`);
  const items = suggestions
    .filter((s) => s.probability >= threshold && (classId === null || s.classId === classId))
    .sort((a, b) => b.probability - a.probability || a.imageId - b.imageId);
  const perClass = new Map<number, number>();
  for (const s of items) perClass.set(s.classId, (perClass.get(s.classId) ?? 0) + 1);
  return { items, perClass };
}
