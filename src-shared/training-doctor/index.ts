// The training doctor: every rule on one run, worst first. Pure, so the main process
// stores what the renderer would compute from the same epochs.
import { batchnormParity } from './batchnorm-parity';
import type { DoctorInput, Finding, FindingCounts, Rule, Severity } from './finding';
import { headBloat } from './head-bloat';
import { inputStats } from './input-stats';
import { leakage } from './leakage';
import { metricSanity } from './metric-sanity';
import { noiseFloor } from './noise-floor';
import { overfitting } from './overfitting';
import { preprocessing } from './preprocessing';
import { target } from './target';
import { underfitting } from './underfitting';
import { unstableValidation } from './unstable-validation';

export * from './finding';
export { accuracyInterval, cannotTellApart, formatInterval } from './noise-floor';
export type { AccuracyInterval } from './noise-floor';
export { firstMeeting } from './target';

export const rules: ReadonlyArray<Rule> = [
  metricSanity,
  leakage,
  unstableValidation,
  overfitting,
  underfitting,
  batchnormParity,
  preprocessing,
  inputStats,
  headBloat,
  target,
  noiseFloor,
];

const RANK: Record<Severity, number> = { problem: 0, warning: 1, info: 2 };

/** A rule that throws is a bug in the rule, not in the run: it is reported as one finding. */
function safely(rule: Rule, input: DoctorInput): Finding[] {
  try {
    return rule(input);
  } catch (err) {
    return [
      {
        id: `doctor-error/${rule.name}`,
        severity: 'info',
        title: `The ${rule.name} check could not run`,
        evidence: { text: (err as Error).message, epochs: [], figures: {} },
        action: 'Report this with the run id.',
      },
    ];
  }
}

export function diagnose(input: DoctorInput): Finding[] {
  return rules.flatMap((r) => safely(r, input)).sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { info: 0, warning: 0, problem: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function worstSeverity(c: FindingCounts): Severity | null {
  return c.problem > 0 ? 'problem' : c.warning > 0 ? 'warning' : c.info > 0 ? 'info' : null;
}
