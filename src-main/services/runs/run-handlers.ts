// The contract's runs slice over the open project: training runs and their queue, exports,
// bake-offs, the launcher's augmentation preview and label-error suspects.
import type { Handlers } from '../../../src-shared/contract';
import type { PathAccess } from '../folders/access';
import type { Project } from '../project/project';
import { augmentPreview } from './augment-preview';
import { BakeoffService } from './bakeoff';
import type { RunService } from './run-service';
import { labelSuspects } from './suspects';

export function runHandlers(
  project: Project,
  runs: RunService,
  access: PathAccess,
  clock: () => number,
): Handlers['runs'] {
  // Holds nothing but the project and its runs.
  const bakeoffs = new BakeoffService(project, runs, clock);
  return {
    start: (input) => runs.start(input),
    cancel: ({ runId }) => (runs.cancel(runId), null),
    resume: ({ runId }) => (runs.resume(runId), null),
    list: () => runs.list(),
    get: ({ runId }) => runs.get(runId),
    epochs: ({ runId }) => runs.epochs(runId),
    predictions: ({ runId, trueClass, predicted, offset, limit }) =>
      runs.predictions(runId, { trueClass, predicted }, offset, limit),
    lrRangeTest: ({ config }) => runs.lrRangeTest(config),
    lrRangeCancel: () => (runs.cancelLrRange(), null),
    groupSummary: ({ groupId }) => runs.groupSummary(groupId),
    export: ({ runId, outDir, format }) => (
      outDir && access.checkWrite(outDir, 'Export folder'),
      runs.export(runId, outDir, format)
    ),
    augmentPreview: (input) => augmentPreview(project, input),
    bakeoff: (input) => bakeoffs.start(input),
    bakeoffs: () => bakeoffs.list(),
    bakeoffSummary: ({ bakeoffId }) => bakeoffs.summary(bakeoffId),
    suspects: (input) => labelSuspects(project.db, input),
  };
}
