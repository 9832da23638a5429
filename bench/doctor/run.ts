// bench/doctor: the training doctor measured on a corpus of real short runs with a known
// truth (bench/doctor/corpus.ts). Prints each scenario's findings, the table of rule x
// scenario (P problem, W warning, i info, - silent; bold where the scenario planted that
// rule's mistake), each rule's precision and recall, and any broken promise. Usage:
//   npx tsx bench/doctor/run.ts [--only id,id] [--root DIR] [--save FILE]
//   npx tsx bench/doctor/run.ts --replay FILE [--only id,id]    # the rules again on saved runs, no training
// --save keeps what the doctor read for each run (epochs, config, the engine's records), so
// a rule can be changed and scored again on the same runs in seconds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../../src-node-shared/backend';
import { importWeightsFile } from '../../src-node-shared/backbones/model-cache';
import { diagnose } from '../../src-shared/training-doctor';
import type { DoctorInput } from '../../src-shared/training-doctor';
import { KERAS_FILE, KERAS_FIXTURE, runScenario, scenarios } from './corpus';
import type { CorpusEnv } from './corpus';
import { brokenPromises, table } from './score';
import type { Outcome } from './score';

const { values: opt } = parseArgs({
  options: { only: { type: 'string' }, root: { type: 'string' }, save: { type: 'string' }, replay: { type: 'string' } },
});

type Saved = Array<{ id: string; input: DoctorInput; seconds: number }>;

async function runAll(only: string[] | undefined): Promise<Saved> {
  const root = opt.root ?? mkdtempSync(join(tmpdir(), 'fs-doctor-corpus-'));
  const b = await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  const env: CorpusEnv = {
    root,
    modelCache: join(root, 'models'),
    backend: { name: b.name, rejected: b.rejected, versions: b.versions },
  };
  await importWeightsFile(KERAS_FIXTURE, KERAS_FILE, env.modelCache);
  const saved: Saved = [];
  for (const s of scenarios.filter((x) => !only || only.includes(x.id))) {
    const t0 = performance.now();
    const input = await runScenario(s, env);
    saved.push({ id: s.id, input, seconds: (performance.now() - t0) / 1000 });
  }
  console.log(`\nbackend ${b.name}; corpus folder ${root}`);
  return saved;
}

async function main(): Promise<void> {
  const only = opt.only?.split(',');
  const saved = opt.replay
    ? (JSON.parse(readFileSync(opt.replay, 'utf8')) as Saved).filter((x) => !only || only.includes(x.id))
    : await runAll(only);
  if (opt.save) writeFileSync(opt.save, JSON.stringify(saved));
  const outcomes: Outcome[] = [];
  for (const { id, input, seconds } of saved) {
    const s = scenarios.find((x) => x.id === id);
    if (!s) throw new Error(`--replay: scenario "${id}" is not in the corpus`);
    const findings = diagnose(input);
    outcomes.push({ scenario: s, findings, seconds });
    const last = input.epochs.at(-1);
    console.log(
      `\n${s.id} (${s.what}): ${input.epochs.length} epochs, last train ${last?.trainAcc.toFixed(3)} val ${last?.valAcc?.toFixed(3)}, test ${input.test?.accuracy.toFixed(3)}, ${seconds.toFixed(1)} s`,
    );
    const c = input.inputCheck;
    if (c?.probe)
      console.log(
        `  input check (${c.used}): ${Object.entries(c.probe.distance)
          .map(([k, d]) => `${k} ${d.toFixed(2)}`)
          .join(', ')}`,
      );
    for (const p of input.parity ?? [])
      console.log(`  parity phase ${p.phase}: reported ${p.reported.toFixed(3)}, inference ${p.inference.toFixed(3)}`);
    for (const f of findings)
      console.log(`  [${f.severity}] ${f.id}: ${f.title}\n      ${f.evidence.text}\n      -> ${f.action}`);
  }
  console.log(`\n${table(outcomes)}`);
  const broken = brokenPromises(outcomes);
  console.log(
    broken.length === 0
      ? '\nAll promises kept: no PROBLEM on a healthy run, every planted mistake found, no contradiction on a phase.'
      : `\nBroken:\n${broken.map((x) => `  ${x}`).join('\n')}`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
