// `npm run setup:gpu`: `--check` reports what each GPU stack needs and what the machine
// lacks, downloads nothing and exits 0, with or without a GPU; without one it will not
// download; offline, a download fails before anything changes, naming the URL and what
// to do. nvidia-smi is a stand-in on PATH, so the test is the same on a GPU box and in CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';

const repo = join(import.meta.dirname, '..', '..', '..');
const script = join(repo, 'scripts', 'setup-gpu.mjs');
const tfjsGpuDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu/package.json'));

/** A port nothing listens on (ports such as 9 are refused by fetch itself). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run setup:gpu', () => {
  let tmp: string;
  let withGpu: NodeJS.ProcessEnv;
  let noGpu: NodeJS.ProcessEnv;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-setup-gpu-'));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'nvidia-smi'), '#!/bin/sh\necho "0, NVIDIA GeForce RTX 3090, 535.104.05, 24576"\n');
    chmodSync(join(bin, 'nvidia-smi'), 0o755);
    const libs = join(tmp, 'cuda12');
    mkdirSync(libs);
    for (const s of ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcufft.so.11', 'libcurand.so.10'])
      writeFileSync(join(libs, s), '');
    // No proxy: with one the script leaves reachability to the install scripts themselves.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/proxy/i.test(k)));
    withGpu = { ...base, PATH: `${bin}:${process.env.PATH}`, LD_LIBRARY_PATH: libs };
    noGpu = { ...base, PATH: join(tmp, 'empty'), LD_LIBRARY_PATH: '' };
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const run = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
      env,
    });

  test('--check with a GPU: what each stack needs, what is found, exactly what is missing, and the silent CPU fallback', () => {
    const r = run(withGpu, '--check');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /GPU 0: NVIDIA GeForce RTX 3090, driver 535\.104\.05/);
    assert.match(r.stdout, /libtensorflow 2\.9\.1 .*needs CUDA 11\.2, cuDNN 8\.1/);
    assert.match(r.stdout, /needs CUDA 12\.x, cuDNN 9\.x/);
    assert.match(r.stdout, new RegExp(`libcudart\\.so\\.12\\s+${join(tmp, 'cuda12', 'libcudart.so.12')}`));
    assert.match(r.stdout, /libcudart\.so\.11\.0\s+missing/);
    assert.match(r.stdout, /! libcudnn\.so\.9 not found .*needs cuDNN 9\.x; install/, 'only cuDNN is missing for ORT');
    assert.match(r.stdout, /Could not load dynamic library 'libcudart\.so\.11\.0'" and trains on the CPU/);
    assert.doesNotMatch(r.stdout + r.stderr, /Downloading|running its own install script/);
  });

  test('--check without a GPU says so and exits 0', () => {
    const r = run(noGpu, '--check');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}no NVIDIA GPU: nvidia-smi not found$/m);
    assert.match(r.stdout, /no NVIDIA GPU is visible \(nvidia-smi\), so this stack cannot use one here/);
  });

  test('without a GPU it downloads nothing unless forced', () => {
    const r = run(noGpu);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no NVIDIA GPU: nvidia-smi not found: nothing to set up here\. .*--force/);
  });

  test('offline, the download fails before anything changes, naming the URL and what to do', async () => {
    const base = `http://127.0.0.1:${await closedPort()}/libtensorflow-`;
    const r = run({ ...withGpu, TFJS_NODE_BASE_URI: base }, '--only', 'tfjs');
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `@tensorflow/tfjs-node-gpu: cannot download: ${base.replace(/[.]/g, '\\.')}gpu-linux-x86_64-2\\.9\\.1\\.tar\\.gz is unreachable \\(ECONNREFUSED\\)\\. Nothing was changed; .*TFJS_NODE_BASE_URI`,
      ),
    );
    assert.equal(existsSync(join(tfjsGpuDir, 'deps')), false, "tfjs-node-gpu's install script did not run");
    assert.doesNotMatch(r.stdout, /onnxruntime-node: not set up/, '--only tfjs leaves ORT alone');
  });

  test('an unknown option is refused with the usage', () => {
    const r = run(noGpu, '--only', 'gpu');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--only takes tfjs or ort, not gpu/);
  });
});
