// Checks the folder rule against what each bundle really pulls in (esbuild's metafile): the
// training process's bundle holds no main-only code (src-main/) and the main process's
// bundles (Electron main, server, CLI) hold no training-only code (src-training/).
// src-node-shared/ is Node code both load; src-shared/ is pure code any side loads.
// `node scripts/bundle-zones.mjs` prints each zone's file count per bundle and exits 1 on a crossing.
import { build } from 'esbuild';
import { cjs, esm } from './bundle-options.mjs';
import { engineEntry } from './build-electron-entries.mjs';

const bundles = {
  training: { ...esm, stdin: engineEntry },
  'electron-main': { ...cjs, entryPoints: ['src-main/electron/main.ts'] },
  server: { ...esm, entryPoints: ['src-main/server/cli-serve.ts'] },
  cli: { ...esm, entryPoints: ['src-main/cli/index.ts'] },
};
const forbidden = { training: ['src-main/', 'src-renderer/'] };
for (const name of ['electron-main', 'server', 'cli']) forbidden[name] = ['src-training/', 'src-renderer/'];

let crossings = 0;
for (const [name, options] of Object.entries(bundles)) {
  const { metafile } = await build({ ...options, write: false, outfile: `/tmp/zones-${name}.js`, metafile: true });
  const files = Object.keys(metafile.inputs).filter((f) => f.startsWith('src-'));
  const zones = {};
  for (const f of files) zones[f.split('/')[0]] = (zones[f.split('/')[0]] ?? 0) + 1;
  console.log(
    name.padEnd(14),
    Object.entries(zones)
      .map(([z, n]) => `${z} ${n}`)
      .join(', '),
  );
  for (const f of files)
    if (forbidden[name].some((p) => f.startsWith(p))) {
      console.error(`  ${name} bundle pulls in ${f}`);
      crossings++;
    }
}
process.exit(crossings ? 1 : 0);
