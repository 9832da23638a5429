// Shared text for the run commands: numbers as a person reads them in a terminal.
import { formatBytes } from '../../../src-shared/format';
import { accuracyInterval, worstSeverity } from '../../../src-shared/doctor';
import type { Finding, FindingCounts } from '../../../src-shared/doctor';
import type { GroupSummary, RunDetail, RunSummary } from '../../../src-shared/runs';
import { table } from '../command';

export const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
export const signedPct = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`);
export const seconds = (ms: number | null): string => (ms === null ? '-' : ms < 100_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);
const best = (r: RunSummary) => (r.bestEpoch === null ? '-' : `p${r.bestPhase} e${r.bestEpoch}`);

export function runsTable(runs: RunSummary[]): string {
  const head = ['id', 'name', 'status', 'backbone', 'px', 'epochs', 'best', 'val acc [95 %]', 'macro F1', 'gap', 'test acc [95 %]', 'test F1', 'time', 'head', 'doctor'];
  const rows = runs.map((r) => [
    r.id, r.name, r.status, r.backboneId, r.inputSize, r.epochs, best(r), pctCI(r.bestValAcc, r.valCount ?? undefined), pct(r.bestMacroF1), signedPct(r.gap),
    pctCI(r.testAcc, r.testCount ?? undefined), pct(r.testMacroF1), seconds(r.trainMs), r.modelBytes === null ? '-' : formatBytes(r.modelBytes), findingsBadge(r.findings),
  ]);
  return table([head, ...rows]);
}

/** "2 problems" / "1 warning" / "ok": the worst severity and how many findings have it. */
export function findingsBadge(c: FindingCounts | undefined): string {
  const worst = c ? worstSeverity(c) : null;
  if (!c || worst === null) return c ? 'ok' : '-';
  if (worst === 'info') return 'ok';
  return `${c[worst]} ${worst}${c[worst] > 1 ? 's' : ''}`;
}

/** An accuracy with its Wilson 95 % interval when the number of images is known: "80.0% [73.6-85.2]". */
export function pctCI(v: number | null, n: number | undefined): string {
  if (v === null || !n) return pct(v);
  const a = accuracyInterval(v, n);
  return `${pct(v)} [${(a.low * 100).toFixed(1)}-${(a.high * 100).toFixed(1)}]`;
}

export function findingLines(findings: Finding[]): string[] {
  return findings.flatMap((f) => [`  [${f.severity}] ${f.title}`, `      ${f.evidence.text}`, `      -> ${f.action}`]);
}

/** A run in a few lines; a run's detail adds the 95 % intervals and the training doctor's findings. */
export function runLine(r: RunSummary | RunDetail): string {
  const sizes = 'splitSizes' in r && r.splitSizes ? r.splitSizes : r.valCount !== null && r.testCount !== null ? { val: r.valCount, test: r.testCount } : null;
  const lines = [
    `Run ${r.id} "${r.name}": ${r.status}${r.trainMs !== null ? ` in ${seconds(r.trainMs)}` : ''}`,
    `  best val acc ${pctCI(r.bestValAcc, sizes?.val)} (${best(r)}), macro F1 ${pct(r.bestMacroF1)}, train-val gap ${signedPct(r.gap)} points` +
      `; test acc ${pctCI(r.testAcc, sizes?.test)}, test macro F1 ${pct(r.testMacroF1)}; ${r.epochs} epochs`,
  ];
  if (sizes) lines.push('  [95 % Wilson intervals from the validation and test set sizes]');
  if (r.message) lines.push(`  ${r.message}`);
  const doctor = 'doctor' in r ? r.doctor : null;
  if (doctor && doctor.findings.length) lines.push(`  Training doctor${doctor.final ? '' : ' (live)'}:`, ...findingLines(doctor.findings));
  return lines.join('\n');
}

export function groupLines(g: GroupSummary): string {
  const ms = (v: GroupSummary['metrics']['bestValAcc']) => (v ? `${pct(v.mean)} ± ${(v.std * 100).toFixed(1)}` : '-');
  return [
    `Cross-validation "${g.name}" (group ${g.groupId}): ${g.done} of ${g.folds} folds done`,
    `  val acc ${ms(g.metrics.bestValAcc)}, macro F1 ${ms(g.metrics.bestMacroF1)}, gap ${ms(g.metrics.gap)}, test acc ${ms(g.metrics.testAcc)}`,
  ].join('\n');
}
