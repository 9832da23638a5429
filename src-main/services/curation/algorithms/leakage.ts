// Leakage: copies of one picture on both sides of the train/evaluation line. A model that has
// seen an image in training recognises its copy in validation, so the validation score
// measures memory, not generalisation (seed 001: 98 % on validation, worse on a real test).
import type { Split } from '../../../../src-shared/schemas';
import { plural } from '../../../../src-shared/plural';

const ORDER: readonly Split[] = ['train', 'val', 'test'];

export interface LeakingCluster<Id> {
  members: Id[];
  /** The members in each split; unassigned members are left out. */
  bySplit: Record<Split, Id[]>;
  /** 'train-eval': train shares copies with val or test; 'val-test': only val and test do. */
  kind: 'train-eval' | 'val-test';
}

export type SplitLookup<Id> = ReadonlyMap<Id, Split | null> | ((id: Id) => Split | null | undefined);

function lookup<Id>(splits: SplitLookup<Id>): (id: Id) => Split | null {
  return typeof splits === 'function' ? (id) => splits(id) ?? null : (id) => splits.get(id) ?? null;
}

/** Clusters (of exact or near duplicates) whose assigned members sit in more than one split. */
export function findLeakage<Id>(clusters: ReadonlyArray<readonly Id[]>, splits: SplitLookup<Id>): LeakingCluster<Id>[] {
  const splitOf = lookup(splits);
  const out: LeakingCluster<Id>[] = [];
  for (const members of clusters) {
    const bySplit: Record<Split, Id[]> = { train: [], val: [], test: [] };
    for (const id of members) {
      const s = splitOf(id);
      if (s) bySplit[s].push(id);
    }
    const used = ORDER.filter((s) => bySplit[s].length > 0);
    if (used.length < 2) continue;
    out.push({ members: [...members], bySplit, kind: bySplit.train.length > 0 ? 'train-eval' : 'val-test' });
  }
  return out;
}

export interface Move<Id> {
  id: Id;
  from: Split;
  to: Split;
}

export interface LeakageFix<Id> {
  members: Id[];
  /** The split the whole cluster ends up in. */
  keep: Split;
  moves: Move<Id>[];
  /** For a person: what moves and why there. */
  reason: string;
}

/**
 * The moves that put each leaking cluster in one split: the split that already holds most of
 * it (fewest moves); a tie goes to train, then val, so copies leave evaluation rather than
 * enter it. Unassigned members stay unassigned.
 */
export function fixLeakage<Id>(leaks: ReadonlyArray<LeakingCluster<Id>>): LeakageFix<Id>[] {
  return leaks.map(({ members, bySplit }) => {
    const most = Math.max(...ORDER.map((s) => bySplit[s].length));
    const keep = ORDER.find((s) => bySplit[s].length === most) as Split;
    const tied = ORDER.filter((s) => bySplit[s].length === most).length > 1;
    const moves = ORDER.filter((s) => s !== keep).flatMap((from) =>
      bySplit[from].map((id) => ({ id, from, to: keep })),
    );
    const held = ORDER.filter((s) => bySplit[s].length)
      .map((s) => `${bySplit[s].length} in ${s}`)
      .join(', ');
    const why = tied ? `a tie, so ${keep} (ties go to train, then val)` : `${keep} holds most of them`;
    const reason = `${plural(members.length, 'near-identical image')} (${held}): moving ${plural(moves.length, 'image')} to ${keep}, since ${why}.`;
    return { members: [...members], keep, moves, reason };
  });
}
