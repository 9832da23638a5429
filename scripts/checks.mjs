// The checks `npm test` runs before the tests: type checks, the linter, the formatter, knip
// (unused files and exports) and the renderer's build. svelte-check given tsconfig.json reports
// TypeScript's errors in every .ts file that config includes as well as in the components, so a
// separate `tsc -p tsconfig.json` would check the same files twice (about 70 s of CPU); the
// Electron shell's config (src-main/electron) still gets its own tsc. Each is one
// single-threaded process, so they run two at a time (these machines have 2 cores), longest first. Each one's output is printed whole when it ends, under
// its name, and the script fails if any failed.
import { spawn } from 'node:child_process';

const checks = [
  // ESLint with type information is the longest check by far: in one process it held one lane
  // as long as all the other checks together held the other. Each half builds the project's
  // type information again (about a minute of CPU), but the lanes end close together.
  ['eslint (the rest)', 'npx', ['eslint', '.', '--ignore-pattern', 'src-renderer/**']],
  ['eslint (src-renderer)', 'npx', ['eslint', 'src-renderer']],
  ['svelte-check', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error']],
  ['vite build', 'npx', ['vite', 'build']],
  ['tsc (electron)', 'npx', ['tsc', '-p', 'tsconfig.electron.json', '--noEmit']],
  ['prettier', 'npx', ['prettier', '--check', '.']],
  ['knip (unused exports and files)', 'npx', ['knip']],
];
const width = Number(process.env.STUDIO_CHECKS_PARALLEL ?? 2);

function run([name, cmd, args]) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      process.stdout.write(`\n── ${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${secs} s\n${out}`);
      done(code === 0);
    });
  });
}

const queue = [...checks];
const results = [];
await Promise.all(
  Array.from({ length: width }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.push([next[0], await run(next)]);
  }),
);
const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
if (failed.length > 0) {
  console.error(`\nchecks failed: ${failed.join(', ')}`);
  process.exit(1);
}
