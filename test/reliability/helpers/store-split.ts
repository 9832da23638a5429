// A split for the kill probe, through the CLI's own path (`withCuration`, what `studio split`
// runs): prints "ready" once the project is open, then splits with SEED (3 folds) and freezes
// the manifest, then prints "done MS" with how long that took.
import { withCuration } from '../../../src-main/cli/commands/curation-open';

const [dir, seed] = process.argv.slice(2);
await withCuration(dir!, (c) => {
  process.stdout.write('ready\n');
  const t0 = performance.now();
  c.split({ val: 0.2, test: 0.2, seed: Number(seed), folds: 3, keepPredefined: false });
  c.manifest({ seed: Number(seed), val: 0.2, test: 0.2, groupBy: null, folds: 3 });
  process.stdout.write(`done ${(performance.now() - t0).toFixed(1)}\n`);
});
