// Runs the test files under test/<suite>/ with Node's own test runner (tsx loads TypeScript).
// Node 20's runner takes no globs, so the files are listed here.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { esm } from './bundle-options.mjs';

const suites = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['unit', 'integration', 'reliability', 'package', 'e2e'];

function testFiles(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = suites.flatMap((s) => testFiles(join('test', s))).sort();
if (files.length === 0) {
  console.error(`no test files under test/{${suites.join(',')}}`);
  process.exit(1);
}
// The tests never read or fill the user's model cache: each run gets an empty one, so the
// default backbone (the best one whose weights are present) is the same on every machine.
const modelCache = mkdtempSync(join(tmpdir(), 'studio-test-models-'));
// Nor the user's settings: the recent projects the tests open go to a list of their own.
const config = mkdtempSync(join(tmpdir(), 'studio-test-config-'));
// Child processes (the command line, each training process, the probes' helper scripts)
// start from bundles built from these sources first: through tsx each would spend about 4 s
// more loading. The helpers go to dist/test/, mirroring test/.
const built = spawnSync(process.execPath, ['scripts/build-electron.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
// Each bundle pulls in only the folders of its process (src-training, src-node-shared, src-main).
const zones = spawnSync(process.execPath, ['scripts/bundle-zones.mjs'], { stdio: 'inherit' });
if (zones.status !== 0) process.exit(zones.status ?? 1);
const helpers = readdirSync('test/reliability/helpers')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('test/reliability/helpers', f));
await build({ ...esm, entryPoints: helpers, outbase: 'test', outdir: 'dist/test', outExtension: { '.js': '.mjs' } });
// Unit test files share nothing (no port, folder or process outside their own temp folders),
// so they run two at a time: most of a unit file's time is Node and tsx loading its imports
// on one core. The suites that time things, start training processes or drive Chromium run
// one file at a time.
const env = {
  ...process.env,
  STUDIO_MODEL_CACHE: modelCache,
  STUDIO_CONFIG_DIR: config,
  STUDIO_ENGINE_ENTRY: resolve('dist/engine/entry.mjs'),
  STUDIO_TEST_CLI: resolve('dist/cli/studio.mjs'),
  STUDIO_TEST_BUNDLES: resolve('dist/test'),
  // Set, not left to the machine's load (src-training/parallel/machine-load.ts): CI's load must
  // not change how a test's phase 2 steps. The old default, one shard per core up to 2.
  STUDIO_TRAIN_SHARDS: process.env.STUDIO_TRAIN_SHARDS || String(Math.min(2, availableParallelism())),
};
const parallel = files.filter((f) => f.startsWith(join('test', 'unit')));
const serial = files.filter((f) => !parallel.includes(f));
// CPU seconds of this script's finished children (Linux; clock ticks are 100 a second there),
// to say per group how many of the cores its files kept busy.
function childCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}
let status = 0;
for (const [group, concurrency] of [
  [parallel, Number(process.env.STUDIO_TEST_PARALLEL ?? 2)],
  [serial, 1],
]) {
  if (group.length === 0) continue;
  const [wall0, cpu0] = [Date.now(), childCpu()];
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      // Then the slowest files of the group, for finding where a CI run's time goes.
      '--test-reporter=./scripts/file-times.mjs',
      '--test-reporter-destination=stdout',
      ...group,
    ],
    { stdio: 'inherit', env },
  );
  status ||= result.status ?? 1;
  const [wall, cpu] = [(Date.now() - wall0) / 1000, childCpu() - cpu0];
  const cores = Number.isNaN(cpu) ? '' : `, CPU ${cpu.toFixed(0)} s (${(cpu / wall).toFixed(2)} cores)`;
  console.log(`${group.length} files, ${concurrency} at a time: wall ${wall.toFixed(0)} s${cores}`);
}
rmSync(modelCache, { recursive: true, force: true });
rmSync(config, { recursive: true, force: true });
process.exit(status);
