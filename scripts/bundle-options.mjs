// How every bundle is made: the app's (scripts/build-electron.mjs) and the child scripts
// the tests start (scripts/test.mjs). Native and wasm packages stay external: they load
// their binaries from their own folders.
export const external = [
  'electron',
  'better-sqlite3',
  'sharp',
  'onnxruntime-node',
  'h5wasm',
  'h5wasm/*',
  '@tensorflow/*',
  'nsfwjs',
  // Dawn's package finds its dawn.node for the platform beside its own index.js.
  'webgpu',
  // ws' optional native speed-ups, absent here and loaded only when present.
  'bufferutil',
  'utf-8-validate',
];

export const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external,
};

// Bundled CommonJS packages call require(); an ES module has none, so one is made per bundle.
export const esm = {
  ...common,
  format: 'esm',
  banner: {
    js: "import { createRequire as __studioCreateRequire } from 'node:module'; const require = __studioCreateRequire(import.meta.url);",
  },
};

// CommonJS has no import.meta: the sources' import.meta.url becomes the bundle's own URL.
export const cjs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__studioImportMetaUrl' },
  banner: { js: "const __studioImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// The shard worker's bundle (src-training/parallel/shard-worker.ts) runs from app.asar.unpacked,
// since a worker thread cannot be relied on to read app.asar, and from there the packages inside
// app.asar cannot be found: tfjs is bundled into it (4.8 MB), and it reads only the wasm backend's
// .wasm files (unpacked, electron-builder.yml) from node_modules. The wasm backend's CommonJS glue
// reads __dirname, which an ES module lacks. Only the webgpu rung stays external: a worker never takes it.
export const workerEsm = {
  ...esm,
  external: [
    ...external.filter((e) => e !== '@tensorflow/*'),
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-backend-webgpu',
  ],
  banner: {
    js: `${esm.banner.js} import { fileURLToPath as __studioFileURLToPath } from 'node:url'; const __filename = __studioFileURLToPath(import.meta.url); const __dirname = __studioFileURLToPath(new URL('.', import.meta.url));`,
  },
};
