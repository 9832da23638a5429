// The checks `npm test` runs beside the tests: type checks, the linter, the formatter, knip
// (unused files and exports) and the renderer's build. svelte-check given tsconfig.json reports
// TypeScript's errors in every .ts file that config includes as well as in the components, so a
// separate `tsc -p tsconfig.json` would check the same files twice (about 70 s of CPU); the
// Electron shell's config (src-main/electron) still gets its own tsc. Each is one
// single-threaded process. `node scripts/checks.mjs` runs them alone, two at a time (these
// machines have 2 cores), longest first; scripts/test.mjs runs them in the gaps the
// one-at-a-time test files leave. Each one's output is printed whole when it ends, under its
// name, and the script fails if any failed.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const renderBuild = ['vite build', 'npx', ['vite', 'build']];

export const checks = [
  // ESLint with type information is the longest check by far: in one process it held one lane
  // as long as all the other checks together held the other. Each half builds the project's
  // type information again (about a minute of CPU), but the lanes end close together.
  ['eslint (the rest)', 'npx', ['eslint', '.', '--ignore-pattern', 'src-renderer/**']],
  ['eslint (src-renderer)', 'npx', ['eslint', 'src-renderer']],
  ['svelte-check', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error']],
  renderBuild,
  ['tsc (electron)', 'npx', ['tsc', '-p', 'tsconfig.electron.json', '--noEmit']],
  ['prettier', 'npx', ['prettier', '--check', '.']],
  ['knip (unused exports and files)', 'npx', ['knip']],
];

/**
 * The checks as scripts/test.mjs runs them beside the tests, on one lane: there ESLint is one
 * process, since its halves would run one after the other and each build the project's type
 * information again. Longest first, so what is left when the tests end splits across two lanes.
 */
export const besideTests = [
  ['eslint', 'npx', ['eslint', '.']],
  ...checks.filter(([name]) => !name.startsWith('eslint') && name !== renderBuild[0]),
];

/** Runs one check, printing its output whole once it ends; resolves to whether it passed. */
export function runCheck([name, cmd, args]) {
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

/**
 * Runs `list` in order on `lanes` lanes, each an async function that resolves when the lane
 * may start (so a caller can open a lane later); resolves to the names of the checks that failed.
 */
export async function runChecks(list, lanes) {
  const queue = [...list];
  const failed = [];
  await Promise.all(
    lanes.map(async (ready) => {
      await ready();
      for (let next = queue.shift(); next; next = queue.shift()) if (!(await runCheck(next))) failed.push(next[0]);
    }),
  );
  return failed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const width = Number(process.env.STUDIO_CHECKS_PARALLEL ?? 2);
  const failed = await runChecks(
    checks,
    Array.from({ length: width }, () => async () => {}),
  );
  if (failed.length > 0) {
    console.error(`\nchecks failed: ${failed.join(', ')}`);
    process.exit(1);
  }
}
