// Scoring the doctor on the corpus: which rule fired on which scenario and how badly, each
// rule's precision and recall against what was planted, and the corpus' three promises
// (no problem on a healthy run, every planted mistake found, no contradiction on a phase).
import type { Finding, Severity } from '../../src-shared/training-doctor';
import type { Scenario } from './corpus';

/** Table rows: a rule, or one of a rule's sub-findings where they mean different mistakes. */
export const RULES = [
  'underfitting',
  'overfitting',
  'unstable-validation',
  'batchnorm-parity',
  'leakage',
  'input/preprocessing',
  'input/extremes',
  'metric-sanity',
  'head-bloat',
  'target',
  'noise-floor',
] as const;
/** Rules that state a fact of the run (the sets' size, the target) rather than find a mistake: not scored. */
export const UNSCORED: ReadonlySet<string> = new Set(['target', 'noise-floor']);

export interface Outcome {
  scenario: Scenario;
  findings: Finding[];
  seconds: number;
}

const RANK: Record<Severity, number> = { info: 1, warning: 2, problem: 3 };
const belongs = (id: string, rule: string) => id === rule || id.startsWith(`${rule}/`);

export function worstOf(findings: Finding[], rule: string): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (belongs(f.id, rule) && (!worst || RANK[f.severity] > RANK[worst])) worst = f.severity;
  return worst;
}

/** A rule fires when it says something at warning or problem; an info note is not a finding of a mistake. */
export const fired = (o: Outcome, rule: string) => (RANK[worstOf(o.findings, rule) ?? 'info'] ?? 0) >= RANK.warning;
export const expected = (o: Outcome, rule: string) => o.scenario.expect.some((e) => belongs(e, rule));
const alsoTrue = (o: Outcome, rule: string) => (o.scenario.alsoTrue ?? []).some((e) => belongs(e, rule));

export function cell(o: Outcome, rule: string): string {
  const s = worstOf(o.findings, rule);
  const mark = s === 'problem' ? 'P' : s === 'warning' ? 'W' : s === 'info' ? 'i' : '-';
  return expected(o, rule) ? `**${mark}**` : alsoTrue(o, rule) ? `(${mark})` : mark;
}

export interface RuleScore {
  rule: string;
  tp: number;
  fp: number;
  fn: number;
}

export function scores(outcomes: Outcome[]): RuleScore[] {
  return RULES.filter((r) => !UNSCORED.has(r)).map((rule) => ({
    rule,
    tp: outcomes.filter((o) => fired(o, rule) && expected(o, rule)).length,
    fp: outcomes.filter((o) => fired(o, rule) && !expected(o, rule) && !alsoTrue(o, rule)).length,
    fn: outcomes.filter((o) => !fired(o, rule) && expected(o, rule)).length,
  }));
}

/** Each broken promise, in words; empty when the doctor kept them all. */
export function brokenPromises(outcomes: Outcome[]): string[] {
  const out: string[] = [];
  for (const o of outcomes) {
    const id = o.scenario.id;
    if (o.scenario.expect.length === 0)
      for (const f of o.findings.filter((x) => x.severity === 'problem'))
        out.push(`${id}: PROBLEM on a healthy run: ${f.title}`);
    for (const e of o.scenario.expect)
      if (!o.findings.some((f) => belongs(f.id, e) && f.severity !== 'info')) out.push(`${id}: planted ${e} not found`);
    out.push(...contradictions(o.findings).map((c) => `${id}: ${c}`));
  }
  return out;
}

const phaseOf = (f: Finding): number | undefined => f.evidence.figures.onsetPhase ?? f.evidence.epochs[0]?.phase;

/**
 * Pairs of findings whose advice pulls opposite ways, in words: overfitting and underfitting
 * on one phase; underfitting raising a phase's learning rate while unstable validation on
 * it lowers it; underfitting growing the head while head bloat shrinks it.
 */
export function contradictions(findings: Finding[]): string[] {
  const under = findings.find((f) => f.id === 'underfitting');
  if (!under) return [];
  const p = phaseOf(under);
  const out: string[] = [];
  const over = findings.find((f) => f.id === 'overfitting');
  if (over && phaseOf(over) === p) out.push(`overfitting and underfitting on phase ${p}`);
  const unstable = findings.find((f) => belongs(f.id, 'unstable-validation') && phaseOf(f) === p);
  if (unstable && /raise phase \d's learning rate/.test(under.action))
    out.push(`underfitting raises phase ${p}'s learning rate while ${unstable.id} lowers it`);
  if (findings.some((f) => f.id === 'head-bloat') && /hidden dense layer|widen the head/.test(under.action))
    out.push('underfitting grows the head while head-bloat shrinks it');
  return out;
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${a}/${b} = ${((100 * a) / b).toFixed(0)} %`);

export function table(outcomes: Outcome[]): string {
  const head = `| rule | ${outcomes.map((o) => o.scenario.id).join(' | ')} | precision | recall |`;
  const rule = `|---|${outcomes.map(() => '---|').join('')}---|---|`;
  const byRule = new Map(scores(outcomes).map((s) => [s.rule, s]));
  const rows = RULES.map((r) => {
    const s = byRule.get(r);
    const pr = s ? `${ratio(s.tp, s.tp + s.fp)} | ${ratio(s.tp, s.tp + s.fn)}` : 'not scored | not scored';
    return `| ${r} | ${outcomes.map((o) => cell(o, r)).join(' | ')} | ${pr} |`;
  });
  return [head, rule, ...rows].join('\n');
}
