// The training process's bundle entry, shared by the build and the zone check: the entry
// speaks Node's IPC, and parent-port.ts adapts an Electron utility process to it first.
export const engineEntry = {
  contents: "import './parent-port';\nimport './entry';\n",
  resolveDir: 'src-training/process',
  sourcefile: 'engine-entry.ts',
  loader: 'ts',
};
