// What a live run is doing now, in a sentence, from its latest progress event and the
// epochs it has ended. Pure, for the run page's header and the Runs table.
import type { RunConfig } from '../../src-shared/engine-config';
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import { epochText } from '../../src-shared/epochs';
import { cacheRateText, type RunsProgress } from '../../src-shared/runs';

const CACHE = { 1: 'building the feature cache', 2: 'building the split-point cache for phase 2' } as const;

export function stageText(p: RunsProgress | null, epochs: EpochMetrics[], config: RunConfig): string {
  if (!p) return epochs.length ? `Training (${epochs.length} epochs ended)` : 'Waiting for the training process';
  switch (p.kind) {
    case 'stage':
      return p.stage === 'starting'
        ? `Starting on ${p.backend ?? 'its backend'}: loading the backbone`
        : 'Evaluating the kept weights on the test and validation splits';
    case 'features': {
      const rate = cacheRateText(p);
      return `Phase ${p.phase}: ${CACHE[p.phase]} (${p.split} ${p.done}/${p.total})${rate ? `, ${rate}` : ''}`;
    }
    case 'batch': {
      const planned = p.phase === 1 ? config.phase1.epochs : (config.phase2?.epochs ?? 0);
      return `Training ${epochText(p.phase, p.epoch)} of ${planned}`;
    }
  }
}
