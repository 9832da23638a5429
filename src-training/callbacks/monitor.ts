import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { Monitor } from '../../src-shared/engine-config';

export function monitorValue(m: EpochMetrics, monitor: Monitor): number {
  const v = m[monitor];
  if (v === null)
    throw new Error(
      `monitor "${monitor}" has no value: there is no validation split; monitor trainLoss or add a validation split`,
    );
  return v;
}

export { improves } from '../../src-shared/epochs';
