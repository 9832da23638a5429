// Which folder may import which: each folder says which process loads it (README, Layout).
//   src-shared/       pure code any side loads: no Node, Electron, DOM, nor any other src- folder
//   src-node-shared/  Node code both the main and the training process load
//   src-training/     the training process only
//   src-main/         the main process only (Electron's main, the server, the CLI)
//   src-renderer/     the UI, in a browser or Electron's sandboxed renderer
// A crossing fails `npx eslint .` with the message below naming the line it crossed.
import { builtinModules } from 'node:module';

const folder = (name) => `(^|/)${name}(/|$)`;
const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const into = (name, why) => ({ regex: folder(name), message: `${name}/ ${why}` });

const MAIN = into('src-main', 'is main-process code: this side must not load it');
const TRAINING = into('src-training', 'runs only in the training process: talk to it through training-host/');
const RENDERER = into('src-renderer', 'is the UI: nothing else loads it');
const NODE_SHARED = into('src-node-shared', 'is Node code: the renderer and src-shared/ run without Node');
const NODE = {
  regex: `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?)$`,
  message: 'is a Node module: this folder loads outside Node (move the code to src-node-shared/ or src-main/)',
};
// Packages that need Node (native, or Node's own APIs) or Electron.
const NODE_ONLY_PACKAGES = {
  regex:
    '^(electron|better-sqlite3|sharp|onnxruntime-node|ws|h5wasm|commander|cli-progress|@tensorflow/tfjs-node.*)(/.*)?$',
  message: 'needs Node or Electron: this folder loads outside Node',
};
const ELECTRON = { regex: '^electron(/.*)?$', message: 'is loaded only by src-main/electron/' };

export const zones = [
  {
    files: ['src-shared/**'],
    rules: {
      ...rule([MAIN, TRAINING, RENDERER, NODE_SHARED, NODE, NODE_ONLY_PACKAGES]),
      // The DOM's and Node's globals: pure code takes what it needs as arguments.
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location'].map((name) => ({
          name,
          message: 'is the DOM: src-shared/ loads in Node too',
        })),
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
          name,
          message: 'is Node: src-shared/ loads in the renderer too',
        })),
      ],
    },
  },
  { files: ['src-node-shared/**'], rules: rule([MAIN, TRAINING, RENDERER, ELECTRON]) },
  { files: ['src-training/**'], rules: rule([MAIN, RENDERER, ELECTRON]) },
  { files: ['src-main/**'], ignores: ['src-main/electron/**'], rules: rule([TRAINING, RENDERER, ELECTRON]) },
  { files: ['src-main/electron/**'], rules: rule([TRAINING, RENDERER]) },
  { files: ['src-renderer/**'], rules: rule([MAIN, TRAINING, NODE_SHARED, NODE, NODE_ONLY_PACKAGES]) },
];
