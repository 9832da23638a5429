// Shared text for the run commands: numbers as a person reads them in a terminal.
import { formatPercent } from '../../../src-shared/format';
import { accuracyInterval, worstSeverity } from '../../../src-shared/training-doctor';
import type { Finding, FindingCounts } from '../../../src-shared/training-doctor';
import type { GroupSummary, RunDetail, RunSummary } from '../../../src-shared/runs';
import { epochTag } from '../../../src-shared/epochs';
import { table } from '../command';
export const signedPct = (v: number | null): string =>
  v === null ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
export const seconds = (ms: number | null): string =>
  ms === null ? '-' : ms < 100_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
const best = (r: RunSummary) =>
  r.bestEpoch === null || r.bestPhase === null ? '-' : epochTag(r.bestPhase, r.bestEpoch);

/** A terminal's usual width: the runs table fits it; `studio runs RUN` and `--json` have the rest. */
export const TABLE_WIDTH = 100;

/** "long-run-na…": at most `max` characters. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`);

/**
 * One line per run, at most TABLE_WIDTH wide: the name and backbone columns give up
 * characters, the figures never do. Intervals, gap and head size are in `studio eval`.
 */
export function runsTable(runs: RunSummary[]): string {
  const head = ['id', 'name', 'status', 'backbone', 'px', 'kept', 'val acc', 'val F1', 'test acc', 'time', 'doctor'];
  const rows: string[][] = runs.map((r) => [
    String(r.id),
    r.name,
    r.status,
    r.backboneId,
    String(r.inputSize),
    best(r),
    formatPercent(r.bestValAcc),
    formatPercent(r.bestMacroF1),
    formatPercent(r.testAcc),
    seconds(r.trainMs),
    findingsBadge(r.findings),
  ]);
  const all = [head, ...rows];
  const width = (col: number) => Math.max(...all.map((row) => row[col]!.length));
  const total = () => 2 + head.reduce((n, _, i) => n + width(i), 0) + 2 * (head.length - 1);
  for (const col of [1, 3]) {
    const over = total() - TABLE_WIDTH;
    if (over > 0) for (const row of rows) row[col] = clip(row[col]!, Math.max(8, width(col) - over));
  }
  return table(all);
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
  if (v === null || !n) return formatPercent(v);
  const a = accuracyInterval(v, n);
  return `${formatPercent(v)} [${(a.low * 100).toFixed(1)}-${(a.high * 100).toFixed(1)}]`;
}

export function findingLines(findings: Finding[]): string[] {
  return findings.flatMap((f) => [`  [${f.severity}] ${f.title}`, `      ${f.evidence.text}`, `      -> ${f.action}`]);
}

/** A run in a few lines; a run's detail adds the 95 % intervals and the training doctor's findings. */
export function runLine(r: RunSummary | RunDetail): string {
  const sizes =
    'splitSizes' in r && r.splitSizes
      ? r.splitSizes
      : r.valCount !== null && r.testCount !== null
        ? { val: r.valCount, test: r.testCount }
        : null;
  const lines = [
    `Run ${r.id} "${r.name}": ${r.status}${r.trainMs !== null ? ` in ${seconds(r.trainMs)}` : ''}`,
    `  kept ${best(r)}: val acc ${pctCI(r.bestValAcc, sizes?.val)}, macro F1 ${formatPercent(r.bestMacroF1)}, train-val gap ${signedPct(r.gap)} points` +
      `; test acc ${pctCI(r.testAcc, sizes?.test)}, test macro F1 ${formatPercent(r.testMacroF1)}; ${r.epochs} epochs`,
  ];
  if (sizes) lines.push('  [95 % Wilson intervals from the validation and test set sizes]');
  if (r.message) lines.push(`  ${r.message}`);
  const doctor = 'doctor' in r ? r.doctor : null;
  if (doctor && doctor.findings.length)
    lines.push(`  Training doctor${doctor.final ? '' : ' (live)'}:`, ...findingLines(doctor.findings));
  return lines.join('\n');
}

export function groupLines(g: GroupSummary): string {
  const ms = (v: GroupSummary['metrics']['bestValAcc']) =>
    v ? `${formatPercent(v.mean)} ± ${(v.std * 100).toFixed(1)}` : '-';
  return [
    `Cross-validation "${g.name}" (group ${g.groupId}): ${g.done} of ${g.folds} folds done`,
    `  val acc ${ms(g.metrics.bestValAcc)}, macro F1 ${ms(g.metrics.bestMacroF1)}, gap ${ms(g.metrics.gap)}, test acc ${ms(g.metrics.testAcc)}`,
  ].join('\n');
}
