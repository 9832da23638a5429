// A floor under bench/assist.ts's annotator that ignores how it works: a head trained on half
// of the true labels judges the other half (both ways), and every wrong suggestion costs at
// least one click to fix. Also with the 150 least confident left out (what 95 % allows).
//   npx tsx bench/assist-floor.ts [--dir /tmp/studio-assist-fm] [--sizes 224,96]
import { parseArgs } from 'node:util';
import { top2, trainAssistant } from '../src-main/services/assist/model/assistant';
import { REDUCED_DIMS, reduceDims } from '../src-main/services/assist/model/reduce';
import { fashionFeatures } from './assist-features';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: '/tmp/studio-assist-fm' }, sizes: { type: 'string', default: '224,96' } },
});
for (const size of values.sizes.split(',').map(Number)) {
  const f = await fashionFeatures({ dir: values.dir, images: 3000, backboneId: 'mobilenet_v2', size });
  const n = f.truth.length;
  const leftOut = Math.floor(0.05 * n);
  const features = await reduceDims(f.x, f.d, REDUCED_DIMS);
  const judged: { probability: number; wrong: boolean }[] = [];
  for (const half of [0, 1]) {
    const labels = Int32Array.from(f.truth, (y, i) => (i % 2 === half ? y : -1));
    const out = await trainAssistant({ features, labels, k: f.k, seed: 1 });
    for (let i = 0; i < n; i++) {
      if (i % 2 === half) continue;
      const t = top2(out.probs, i, f.k);
      judged.push({ probability: t.probability, wrong: t.best !== f.truth[i] });
    }
  }
  const wrong = judged.filter((j) => j.wrong).length;
  const rest = judged.sort((a, b) => a.probability - b.probability).slice(leftOut);
  console.log(
    `mobilenet_v2 at ${size} px: ${wrong} of ${n} suggestions wrong; with the ${leftOut} least confident left out, ${rest.filter((j) => j.wrong).length} wrong among the other ${rest.length}`,
  );
}
