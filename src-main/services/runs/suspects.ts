// Label-error candidates of a k-fold group: each fold's run predicted its held-out fold
// with the weights it ended with, so every image of train + val has one out-of-fold
// prediction; confident learning (src-shared/suspects.ts) ranks the images whose given
// label those predictions doubt most.
import type { SuspectsOutput } from '../../../src-shared/bakeoff';
import { StudioError } from '../../../src-shared/errors';
import { classThresholds, findLabelSuspects } from '../../../src-shared/suspects';
import type { SuspectRanking } from '../../../src-shared/suspects';
import type { Database } from '../../store/db';
import { valPredictionsOf } from '../../store/repos/bakeoffs';
import { getGroup, runRowsOfGroup } from '../../store/repos/runs';
import { needRun } from './run-views';

export interface SuspectsQuery {
  /** Any run of the group, or the group's id when `group` is set. */
  runId: number;
  group: boolean;
  rankBy: SuspectRanking;
  limit: number;
}

function groupIdOf(db: Database, q: SuspectsQuery): number {
  if (q.group) return q.runId;
  const row = needRun(db, q.runId);
  if (row.groupId === null) {
    throw new StudioError(
      'invalid-input',
      `Run ${q.runId} is not part of a k-fold group. Label-error candidates need out-of-fold predictions: start a run with folds (e.g. \`studio train PROJECT --folds 3\`).`,
    );
  }
  return row.groupId;
}

export function labelSuspects(db: Database, q: SuspectsQuery): SuspectsOutput {
  const groupId = groupIdOf(db, q);
  const group = getGroup(db, groupId);
  if (!group)
    throw new StudioError(
      'not-found',
      `There is no run group ${groupId} in this project; k-fold runs show their group id in the runs list.`,
    );
  const runs = runRowsOfGroup(db, groupId);
  const done = runs.filter((r) => r.status === 'done');
  const classes = runs.length ? (JSON.parse(runs[0]!.classes) as string[]) : [];
  const seen = new Set<number>();
  // Each image sits in one fold; the first prediction stands should a manifest ever repeat one.
  const preds = valPredictionsOf(
    db,
    done.map((r) => r.id),
  ).filter((p) => !seen.has(p.imageId) && (seen.add(p.imageId), true));
  const byImage = new Map(preds.map((p) => [p.imageId, p]));
  const oof = preds.map((p) => ({ imageId: p.imageId, given: p.trueClass, probs: p.probs }));
  const ranked = findLabelSuspects(oof, classes.length, q.rankBy);
  return {
    groupId,
    classes,
    folds: group.folds,
    foldsDone: done.length,
    images: preds.length,
    thresholds: classThresholds(oof, classes.length),
    total: ranked.length,
    items: ranked.slice(0, q.limit).map((s) => {
      const p = byImage.get(s.imageId)!;
      return { ...s, hash: p.hash, probs: p.probs, runId: p.runId, currentClass: p.currentClass };
    }),
  };
}
