// A split for the kill probe, through the CLI's own path (`withStudio`, what `studio split`
// runs): prints "ready" once the project is open, then splits with SEED (3 folds) and freezes
// the manifest, then prints "done MS" with how long that took.
import { withStudio } from '../../../src-main/cli/studio-client';
import { splitOptions } from './store';

const [dir, seed] = process.argv.slice(2);
await withStudio(dir!, async ({ api }) => {
  process.stdout.write('ready\n');
  const t0 = performance.now();
  const o = splitOptions(Number(seed));
  await api.curation.split(o);
  await api.curation.manifest({ params: { seed: o.seed, val: o.val, test: o.test, groupBy: null, folds: o.folds } });
  process.stdout.write(`done ${(performance.now() - t0).toFixed(1)}\n`);
});
