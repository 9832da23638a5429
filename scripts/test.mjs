// Runs the test files under test/<suite>/ with Node's own test runner (tsx loads TypeScript).
// Node 20's runner takes no globs, so the files are listed here.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { esm } from './bundle-options.mjs';
import { besideTests, renderBuild, runCheck, runChecks } from './checks.mjs';

// `--with-checks` (what `npm test` runs) runs scripts/checks.mjs's checks too, in the gaps the
// one-at-a-time test files leave: see the end of this file.
const withChecks = process.argv.includes('--with-checks');
const named = process.argv.slice(2).filter((a) => a !== '--with-checks');
const suites = named.length ? named : ['unit', 'integration', 'reliability', 'package', 'e2e'];

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
const started = Date.now();
// The end-to-end tests load the renderer's build, so it is made before any test starts.
if (withChecks && !(await runCheck(renderBuild))) process.exit(1);
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
// CPU seconds of this script's finished children (Linux; clock ticks are 100 a second there).
function childCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}
const cores = (cpu, wall) => (Number.isNaN(cpu) ? '' : `, CPU ${cpu.toFixed(0)} s (${(cpu / wall).toFixed(2)} cores)`);

function runGroup(group, concurrency) {
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec'];
  // Then the slowest files of the group, for finding where a CI run's time goes.
  args.push('--test-reporter-destination=stdout', '--test-reporter=./scripts/file-times.mjs');
  args.push('--test-reporter-destination=stdout', ...group);
  const [wall0, cpu0] = [Date.now(), childCpu()];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    child.on('close', (code) => {
      const wall = (Date.now() - wall0) / 1000;
      // With checks running beside the group, their CPU would be counted in; the total below says it.
      const cpu = withChecks ? '' : cores(childCpu() - cpu0, wall);
      console.log(`${group.length} files, ${concurrency} at a time: wall ${wall.toFixed(0)} s${cpu}`);
      done(code ?? 1);
    });
  });
}

// The unit files keep both cores busy loading their imports. The one-at-a-time files leave
// about one idle (a file waits on its training process, its browser, its CLI), so the checks
// run then, one at a time, and on two lanes once the tests are done.
let status = 0;
let testsDone;
const afterTests = new Promise((resolve) => (testsDone = resolve));
let checking = Promise.resolve([]);
if (parallel.length > 0) status ||= await runGroup(parallel, Number(process.env.STUDIO_TEST_PARALLEL ?? 2));
if (withChecks) checking = runChecks(besideTests, [async () => {}, () => afterTests]);
if (serial.length > 0) status ||= await runGroup(serial, 1);
testsDone();
const failed = await checking;
rmSync(modelCache, { recursive: true, force: true });
rmSync(config, { recursive: true, force: true });
const wall = (Date.now() - started) / 1000;
console.log(`\nall: wall ${wall.toFixed(0)} s${cores(childCpu(), wall)}`);
if (failed.length > 0) console.error(`checks failed: ${failed.join(', ')}`);
process.exit(status || (failed.length > 0 ? 1 : 0));
