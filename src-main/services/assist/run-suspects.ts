// The newest k-fold group's label-error candidates, as the assistant's disagreement list
// takes them: by class id, and only for images whose label is still the one the runs used.
import type { Database } from '../../store/db';
import { latestFoldGroup } from '../../store/repos/assist';
import { classNames } from '../../store/repos/classes';
import { labelSuspects } from '../runs/suspects';
import type { CurrentLabels, Disagreement } from './views';

export function runSuspects(db: Database, now: CurrentLabels): Disagreement[] {
  const groupId = latestFoldGroup(db);
  if (groupId === null) return [];
  const out = labelSuspects(db, { runId: groupId, group: true, rankBy: 'self-confidence', limit: 2000 });
  const ids = new Map(classNames(db).map((c) => [c.name, c.id]));
  return out.items.flatMap((s) => {
    const given = ids.get(out.classes[s.given]!);
    const suggested = ids.get(out.classes[s.suggested]!);
    if (given === undefined || suggested === undefined || now.get(s.imageId) !== given) return [];
    return [
      {
        imageId: s.imageId,
        labelClassId: given,
        suggestedClassId: suggested,
        selfConfidence: s.selfConfidence,
        source: 'runs' as const,
      },
    ];
  });
}
