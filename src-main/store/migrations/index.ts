// Every migration, in order. A shipped migration is never edited: add a new file instead.
import type { Database } from 'better-sqlite3';
import { m0001Initial } from './0001-initial';
import { m0002Edits } from './0002-edits';
import { m0003Runs } from './0003-runs';
import { m0004Curation } from './0004-curation';
import { m0005EditGroups } from './0005-edit-groups';
import { m0006NsfwjsBackboneIds } from './0006-nsfwjs-backbone-ids';
import { m0007Bakeoffs } from './0007-bakeoffs';
import { m0008RunFindings } from './0008-run-findings';
import { m0009RunSplitCounts } from './0009-run-split-counts';
import { m0010ExcludedImages } from './0010-excluded-images';
import { m0011RunFacts } from './0011-run-facts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const migrations: readonly Migration[] = [
  m0001Initial,
  m0002Edits,
  m0003Runs,
  m0004Curation,
  m0005EditGroups,
  m0006NsfwjsBackboneIds,
  m0007Bakeoffs,
  m0008RunFindings,
  m0009RunSplitCounts,
  m0010ExcludedImages,
  m0011RunFacts,
];

export const latestVersion = migrations[migrations.length - 1].version;
