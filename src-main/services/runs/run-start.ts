// Starting runs: a config checked before anything is queued, the runs planned from the store
// and their image lists frozen outside the write lock, then their rows written inside the
// caller's transaction (one start, or a bake-off's several with its own row).
import type { RunConfig } from '../../../src-shared/engine-config';
import type { ParsedInput } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import { checkInputSize, findBackbone } from '../../../src-node-shared/backbones/registry';
import type { Database } from '../../store/db';
import { storeManifest } from '../../store/repos/manifests';
import { insertGroup, insertRun } from '../../store/repos/runs';
import type { SplitSnapshot } from '../curation/split-snapshot';
import { freezeImageList } from './run-image-list';
import type { RunImageList } from './run-image-list';
import { planFromStore } from './run-data';

/** A config whose backbone, size and blocks were checked, with its input size made explicit. */
export type CheckedConfig = RunConfig & { inputSize: number };

/**
 * The input size is made explicit, so the stored config says what ran; a wrong backbone,
 * size or block count fails here, before anything is queued.
 */
export function checkedConfig(config: RunConfig): CheckedConfig {
  // Multi-label heads, losses and metrics are not built: refused here, before anything is queued,
  // rather than by the training process once the run has started.
  if (config.labelType === 'multi')
    throw new StudioError(
      'invalid-input',
      'config.labelType: "multi" (several labels per image) is not supported yet; use "single" (one class per image).',
    );
  let entry;
  try {
    entry = findBackbone(config.backboneId);
    checkInputSize(entry, config.inputSize ?? entry.inputSize);
  } catch (err) {
    throw new StudioError('invalid-input', `config: ${(err as Error).message}`);
  }
  const blocks = entry.blocks.length;
  if (config.phase2 && config.phase2.unfreezeBlocks >= blocks) {
    throw new StudioError(
      'invalid-input',
      `config.phase2.unfreezeBlocks: ${entry.id} has ${blocks} named blocks; unfreeze 1 to ${blocks - 1} (got ${config.phase2.unfreezeBlocks}).`,
    );
  }
  return { ...config, inputSize: config.inputSize ?? entry.inputSize };
}

function defaultName(c: RunConfig): string {
  return `${c.backboneId} ${c.inputSize}px${c.phase2 ? ` + ${c.phase2.unfreezeBlocks} block${c.phase2.unfreezeBlocks > 1 ? 's' : ''}` : ''}`;
}

/** A start checked and planned, its image lists frozen, ready to be written. */
export interface PlannedStart {
  config: CheckedConfig;
  folds: number | undefined;
  name: string;
  imageLists: { m: RunImageList; frozen: SplitSnapshot }[];
  notes: string[];
}

/** Checks the config and plans the image lists from the store; reads only, so no write lock is held meanwhile. */
export function planStart(db: Database, input: ParsedInput<'runs', 'start'>): PlannedStart {
  const config = checkedConfig(input.config);
  const plan = planFromStore(db, config.seed, input.folds);
  const imageLists = plan.imageLists.map((m) => ({ m, frozen: freezeImageList(m) }));
  return { config, folds: input.folds, name: input.name ?? defaultName(config), imageLists, notes: plan.notes };
}

/** One start's rows (its k-fold group, one run per image list) owned by `pid`; the caller holds the transaction. */
export function writeStart(
  db: Database,
  { config, folds, name, imageLists, notes }: PlannedStart,
  now: number,
  pid: number,
): { runIds: number[]; groupId: number | null } {
  // Stored as parsed and checked: the row is the durable queue, read back once when the run trains.
  const stored = JSON.stringify(config);
  const groupId = folds ? insertGroup(db, name, folds, now) : null;
  const runIds = imageLists.map(({ m, frozen }) =>
    insertRun(db, {
      name: m.fold ? `${name} · fold ${m.fold.index + 1}/${m.fold.k}` : name,
      config: stored,
      seed: config.seed,
      backboneId: config.backboneId,
      classes: m.classes,
      manifestId: storeManifest(db, frozen.digest, JSON.stringify(frozen), now).id,
      trainCount: m.train.length,
      valCount: m.val.length,
      testCount: m.test.length,
      inputSize: config.inputSize,
      phase1Epochs: config.phase1.epochs,
      phase2Epochs: config.phase2?.epochs ?? null,
      groupId,
      fold: m.fold?.index ?? null,
      createdAt: now,
      message: notes.join(' ') || null,
      pid,
    }),
  );
  return { runIds, groupId };
}
