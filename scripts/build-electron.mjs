// Bundles every entry the app runs into dist/, each a file plain `node` (or Electron run as
// node) starts without tsx:
//   dist/electron/main.cjs, preload.cjs  Electron's main process and preload (CommonJS: a
//                                        sandboxed preload must be one CJS file)
//   dist/engine/entry.mjs                the training process (utility process or fork)
//   dist/server/cli-serve.mjs            the headless server
//   dist/cli/studio.mjs                  the command line
// Native and wasm packages stay external: they load their binaries from their own folders.
import { build } from 'esbuild';

const external = [
  'electron',
  'better-sqlite3',
  'sharp',
  'onnxruntime-node',
  'h5wasm',
  'h5wasm/*',
  '@tensorflow/*',
  'nsfwjs',
  // ws' optional native speed-ups, absent here and loaded only when present.
  'bufferutil',
  'utf-8-validate',
];

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', external };

// Bundled CommonJS packages call require(); an ES module has none, so one is made per bundle.
const esm = {
  ...common,
  format: 'esm',
  banner: { js: "import { createRequire as __studioCreateRequire } from 'node:module'; const require = __studioCreateRequire(import.meta.url);" },
};

// CommonJS has no import.meta: the sources' import.meta.url becomes the bundle's own URL.
const cjs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__studioImportMetaUrl' },
  banner: { js: "const __studioImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

export const outputs = {
  main: 'dist/electron/main.cjs',
  preload: 'dist/electron/preload.cjs',
  engine: 'dist/engine/entry.mjs',
  server: 'dist/server/cli-serve.mjs',
  cli: 'dist/cli/studio.mjs',
};

await Promise.all([
  build({ ...cjs, entryPoints: ['src-main/electron/main.ts'], outfile: outputs.main }),
  build({ ...common, format: 'cjs', entryPoints: ['src-main/electron/preload.ts'], outfile: outputs.preload }),
  // The entry speaks Node's IPC; parent-port.ts adapts an Electron utility process to it first.
  build({
    ...esm,
    stdin: { contents: "import './parent-port';\nimport './entry';\n", resolveDir: 'src-main/engine/process', sourcefile: 'engine-entry.ts', loader: 'ts' },
    outfile: outputs.engine,
  }),
  build({ ...esm, entryPoints: ['src-main/server/cli-serve.ts'], outfile: outputs.server }),
  build({ ...esm, entryPoints: ['src-main/cli/index.ts'], outfile: outputs.cli }),
]);
console.log(`built ${Object.values(outputs).join(', ')}`);
