// Shared text for the run commands: numbers as a person reads them in a terminal.
import { formatBytes } from '../../../src-shared/head-spec';
import type { GroupSummary, RunSummary } from '../../../src-shared/runs';
import { table } from '../command';

export const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
export const signedPct = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`);
export const seconds = (ms: number | null): string => (ms === null ? '-' : ms < 100_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);
const best = (r: RunSummary) => (r.bestEpoch === null ? '-' : `p${r.bestPhase} e${r.bestEpoch}`);

export function runsTable(runs: RunSummary[]): string {
  const head = ['id', 'name', 'status', 'backbone', 'px', 'epochs', 'best', 'val acc', 'macro F1', 'gap', 'test acc', 'test F1', 'time', 'head'];
  const rows = runs.map((r) => [
    r.id, r.name, r.status, r.backboneId, r.inputSize, r.epochs, best(r), pct(r.bestValAcc), pct(r.bestMacroF1), signedPct(r.gap),
    pct(r.testAcc), pct(r.testMacroF1), seconds(r.trainMs), r.modelBytes === null ? '-' : formatBytes(r.modelBytes),
  ]);
  return table([head, ...rows]);
}

export function runLine(r: RunSummary): string {
  const lines = [
    `Run ${r.id} "${r.name}": ${r.status}${r.trainMs !== null ? ` in ${seconds(r.trainMs)}` : ''}`,
    `  best val acc ${pct(r.bestValAcc)} (${best(r)}), macro F1 ${pct(r.bestMacroF1)}, train-val gap ${signedPct(r.gap)} points` +
      `; test acc ${pct(r.testAcc)}, test macro F1 ${pct(r.testMacroF1)}; ${r.epochs} epochs`,
  ];
  if (r.message) lines.push(`  ${r.message}`);
  return lines.join('\n');
}

export function groupLines(g: GroupSummary): string {
  const ms = (v: GroupSummary['metrics']['bestValAcc']) => (v ? `${pct(v.mean)} ± ${(v.std * 100).toFixed(1)}` : '-');
  return [
    `Cross-validation "${g.name}" (group ${g.groupId}): ${g.done} of ${g.folds} folds done`,
    `  val acc ${ms(g.metrics.bestValAcc)}, macro F1 ${ms(g.metrics.bestMacroF1)}, gap ${ms(g.metrics.gap)}, test acc ${ms(g.metrics.testAcc)}`,
  ].join('\n');
}
