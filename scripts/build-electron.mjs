// Bundles every entry the app runs into dist/, each a file plain `node` (or Electron run as
// node) starts without tsx:
//   dist/electron/main.cjs, preload.cjs  Electron's main process and preload (CommonJS: a
//                                        sandboxed preload must be one CJS file)
//   dist/engine/entry.mjs                the training process (utility process or fork)
//   dist/engine/shard-worker.mjs         its data-parallel step's worker threads (src-training/parallel),
//                                        tfjs bundled in: it runs from app.asar.unpacked (bundle-options.mjs)
//   dist/assist/fit-worker.cjs           the assistant's fitting thread (src-main/services/assist),
//                                        read and evaluated by whichever entry runs the assistant
//   dist/server/cli-serve.mjs            the headless server
//   dist/cli/studio.mjs                  the command line
// Native and wasm packages stay external (bundle-options.mjs).
import { build } from 'esbuild';
import { cjs, common, esm, workerEsm } from './bundle-options.mjs';
import { engineEntry } from './build-electron-entries.mjs';

export const outputs = {
  main: 'dist/electron/main.cjs',
  preload: 'dist/electron/preload.cjs',
  engine: 'dist/engine/entry.mjs',
  shardWorker: 'dist/engine/shard-worker.mjs',
  fitWorker: 'dist/assist/fit-worker.cjs',
  server: 'dist/server/cli-serve.mjs',
  cli: 'dist/cli/studio.mjs',
};

await Promise.all([
  build({ ...cjs, entryPoints: ['src-main/electron/main.ts'], outfile: outputs.main }),
  build({ ...common, format: 'cjs', entryPoints: ['src-main/electron/preload.ts'], outfile: outputs.preload }),
  // The entry speaks Node's IPC; parent-port.ts adapts an Electron utility process to it first.
  build({
    ...esm,
    stdin: engineEntry,
    outfile: outputs.engine,
  }),
  build({ ...workerEsm, entryPoints: ['src-training/parallel/shard-worker.ts'], outfile: outputs.shardWorker }),
  build({
    ...common,
    format: 'cjs',
    entryPoints: ['src-main/services/assist/fit-worker.ts'],
    outfile: outputs.fitWorker,
  }),
  build({ ...esm, entryPoints: ['src-main/server/cli-serve.ts'], outfile: outputs.server }),
  build({ ...esm, entryPoints: ['src-main/cli/index.ts'], outfile: outputs.cli }),
]);
console.log(`built ${Object.values(outputs).join(', ')}`);
