// `npm run setup:gpu [-- --check] [-- --only tfjs|ort] [-- --force]`, on a networked GPU
// workstation: turns the GPU on for training and for frozen inference. `npm install`
// stays offline (package.json's allowScripts denies these install scripts), so the
// native pieces are fetched here by each package's own install script:
//   - @tensorflow/tfjs-node-gpu: libtensorflow 2.9.1 (GPU) and its addon
//     (`node scripts/install.js gpu download`, its package.json `install`);
//   - onnxruntime-node: the CUDA execution provider from NuGet
//     (`script/install.js` with ONNXRUNTIME_NODE_INSTALL=cuda12).
// Before and after, it checks the CUDA and cuDNN libraries each needs (system-probe.ts)
// and says what is missing. `--check` only reports and always exits 0 (CI runs it).
// Run through tsx: it shares its facts with `studio doctor` (src-node-shared/system-probe.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import {
  GPU_STACKS,
  checkStack,
  cudaToolkits,
  libtensorflowVersion,
  machineCuda,
} from '../src-node-shared/system-probe.ts';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..');
const USAGE = 'usage: npm run setup:gpu [-- --check] [-- --only tfjs|ort] [-- --force]';

function parseArgs(argv) {
  const opts = { check: false, force: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--force') opts.force = true;
    else if (a === '--only' || a.startsWith('--only=')) opts.only = a.includes('=') ? a.split('=')[1] : argv[++i];
    else if (a === '--help' || a === '-h') return (console.log(USAGE), process.exit(0));
    else throw new Error(`unknown option ${a}; ${USAGE}`);
  }
  if (opts.only !== null && !['tfjs', 'ort'].includes(opts.only))
    throw new Error(`--only takes tfjs or ort, not ${opts.only}`);
  return opts;
}

const pkgDir = (pkg) => dirname(require.resolve(`${pkg}/package.json`));

function filesIn(dir, pattern) {
  try {
    return readdirSync(dir)
      .filter((n) => pattern.test(n))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** What each download puts in node_modules, and whether it is there. */
const TARGETS = {
  tfjs: {
    stack: 'tfjs-node-gpu',
    pkg: '@tensorflow/tfjs-node-gpu',
    installed() {
      const dir = pkgDir(this.pkg);
      const napi = filesIn(join(dir, 'lib'), /^napi-v\d+$/);
      const addon = napi.map((d) => join(d, 'tfjs_binding.node')).find(existsSync) ?? null;
      const lib = [...napi, join(dir, 'deps', 'lib')].flatMap((d) => filesIn(d, /^libtensorflow\.so/))[0] ?? null;
      return addon && lib
        ? { ok: true, what: `addon ${addon}, ${lib}` }
        : {
            ok: false,
            what: addon
              ? 'the addon, but no libtensorflow.so beside it'
              : 'no native addon (lib/napi-v*/tfjs_binding.node)',
          };
    },
    url() {
      // As scripts/install.js builds it, honouring the same mirror variables.
      const host = process.env.TFJS_NODE_CDN_STORAGE || process.env.CDN_STORAGE || 'https://storage.googleapis.com/';
      const base = process.env.TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
      return `${base}gpu-linux-x86_64-${libtensorflowVersion() ?? '2.9.1'}.tar.gz`;
    },
    run() {
      const dir = pkgDir(this.pkg);
      // The script calls node-pre-gyp by name, as npm would with node_modules/.bin on PATH.
      const PATH = [join(dir, 'node_modules', '.bin'), join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(
        delimiter,
      );
      return spawnSync(process.execPath, ['scripts/install.js', 'gpu', 'download'], {
        cwd: dir,
        stdio: 'inherit',
        env: { ...process.env, PATH },
      }).status;
    },
    offline:
      'run this on a networked machine, set HTTPS_PROXY, or point TFJS_NODE_BASE_URI at a mirror holding libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz',
  },
  ort: {
    stack: 'onnxruntime-cuda',
    pkg: 'onnxruntime-node',
    installed() {
      const lib = join(
        pkgDir(this.pkg),
        'bin',
        'napi-v6',
        process.platform,
        process.arch,
        'libonnxruntime_providers_cuda.so',
      );
      return existsSync(lib)
        ? { ok: true, what: lib }
        : { ok: false, what: 'no CUDA provider (libonnxruntime_providers_cuda.so)' };
    },
    url() {
      return require(join(pkgDir(this.pkg), 'script', 'install-metadata.js')).feeds.nuget.index;
    },
    run() {
      return spawnSync(process.execPath, ['script/install.js'], {
        cwd: pkgDir(this.pkg),
        stdio: 'inherit',
        env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
      }).status;
    },
    offline:
      'run this on a networked machine, or behind a proxy set GLOBAL_AGENT_HTTPS_PROXY (onnxruntime-node reads it)',
  },
};

function report(title, machine, names) {
  console.log(`\n${title}`);
  if (machine.gpus.length) for (const g of machine.gpus) console.log(`  GPU ${g.index}: ${g.name}, driver ${g.driver}`);
  else console.log(`  ${machine.note}`);
  const kits = cudaToolkits();
  console.log(
    `  CUDA toolkits: ${kits.length ? kits.map((k) => `${k.path} (${k.version ?? '?'})`).join(', ') : 'none in /usr/local'}; LD_LIBRARY_PATH: ${process.env.LD_LIBRARY_PATH || '(empty)'}`,
  );
  let problems = 0;
  for (const name of names) {
    const t = TARGETS[name];
    const check = checkStack(
      GPU_STACKS.find((s) => s.id === t.stack),
      machine,
    );
    const inst = t.installed();
    console.log(`  ${check.label}: needs CUDA ${check.cuda}, cuDNN ${check.cudnn}, driver >= ${check.minDriver}`);
    console.log(`    ${t.pkg}: ${inst.ok ? `installed (${inst.what})` : `not set up: ${inst.what}`}`);
    for (const l of check.libraries) console.log(`    ${l.soname.padEnd(18)} ${l.path ?? 'missing'}`);
    for (const p of check.problems) console.log(`    ! ${p}`);
    problems += check.problems.length + (inst.ok ? 0 : 1);
  }
  if (names.includes('tfjs') && machine.gpus.length) {
    console.log(
      '  Note: tfjs-node-gpu loads even when libcudart.so.11.0 is missing; TensorFlow then logs "Could not load dynamic library \'libcudart.so.11.0\'" and trains on the CPU. `npm run studio -- doctor` shows it as degraded.',
    );
  }
  return problems;
}

async function reachable(url) {
  // Node's fetch ignores proxy variables; behind a proxy the install script's own error will tell.
  if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.GLOBAL_AGENT_HTTPS_PROXY) return null;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
    return res.status < 500 && res.status !== 404 ? null : `HTTP ${res.status}`;
  } catch (err) {
    return err.cause?.code ?? err.cause?.message ?? err.message;
  }
}

async function download(name) {
  const t = TARGETS[name];
  const url = t.url();
  const unreachable = await reachable(url);
  if (unreachable) {
    console.error(
      `\n${t.pkg}: cannot download: ${url} is unreachable (${unreachable}). Nothing was changed; ${t.offline}.`,
    );
    return false;
  }
  console.log(`\n${t.pkg}: running its own install script (downloads from ${new URL(url).host})`);
  const status = t.run();
  const inst = t.installed();
  if (status === 0 && inst.ok) return (console.log(`${t.pkg}: set up (${inst.what})`), true);
  console.error(
    `${t.pkg}: its install script ${status === 0 ? 'finished' : `failed (exit ${status})`} but ${inst.what}; its output above says why. ${t.offline}.`,
  );
  return false;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const names = opts.only ? [opts.only] : ['tfjs', 'ort'];
  const machine = machineCuda();
  report(opts.check ? 'GPU set-up (check only: nothing is downloaded)' : 'Before', machine, names);
  if (opts.check) return 0;
  if (!(process.platform === 'linux' && process.arch === 'x64')) {
    console.error(
      `\nThe GPU builds are fetched for Linux x64 only (this is ${process.platform}/${process.arch}); nothing was downloaded.`,
    );
    return 1;
  }
  if (!machine.gpus.length && !opts.force) {
    console.error(
      `\n${machine.note}: nothing to set up here. Run this on the GPU workstation, or pass --force to download anyway.`,
    );
    return 1;
  }
  let ok = true;
  for (const name of names) ok = (await download(name)) && ok;
  const left = report('After', machineCuda(), names);
  console.log(
    `\n${left ? 'Some pieces are still missing (above).' : 'Everything is in place.'} \`npm run studio -- doctor\` shows what trains and what runs inference now.`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`setup:gpu: ${err.message}`);
    process.exit(1);
  },
);
