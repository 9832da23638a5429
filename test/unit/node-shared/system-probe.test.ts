// What the doctor and `npm run setup:gpu` read off the machine: nvidia-smi's GPUs, the
// loader's libraries (LD_LIBRARY_PATH before the ld.so cache), CUDA toolkits, the CPU's
// FMA width, and each GPU stack's needs against them, with the words a user gets.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  GPU_STACKS,
  checkStack,
  cudaToolkits,
  findLibrary,
  libtensorflowVersion,
  nvidiaGpus,
  parseLdconfig,
  parseNvidiaSmi,
  simdFromFlags,
  versionAtLeast,
  type Exec,
} from '../../../src-node-shared/system-probe';

const tmp = mkdtempSync(join(tmpdir(), 'studio-probe-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const stack = (id: string) => GPU_STACKS.find((s) => s.id === id)!;
const H100 = { index: 0, name: 'NVIDIA H100 80GB HBM3', driver: '535.104.05', memoryMiB: 81559 };

function libDir(name: string, sonames: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const s of sonames) writeFileSync(join(dir, s), '');
  return dir;
}

describe('nvidia-smi', () => {
  test('parses the csv query, one GPU a line', () => {
    const csv = '0, NVIDIA H100 80GB HBM3, 535.104.05, 81559\n1, NVIDIA GeForce RTX 3090, 535.104.05, [N/A]\n';
    assert.deepEqual(parseNvidiaSmi(csv), [
      H100,
      { index: 1, name: 'NVIDIA GeForce RTX 3090', driver: '535.104.05', memoryMiB: null },
    ]);
  });

  test('not installed, failing and listing none each say why there is no GPU', () => {
    const enoent: Exec = () => {
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    };
    const failing: Exec = () => {
      throw Object.assign(new Error('Command failed'), {
        status: 9,
        stderr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\nMake sure...",
      });
    };
    assert.deepEqual(nvidiaGpus(enoent), { gpus: [], note: 'no NVIDIA GPU: nvidia-smi not found' });
    assert.equal(
      nvidiaGpus(failing).note,
      "no NVIDIA GPU usable: nvidia-smi failed (NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.)",
    );
    assert.equal(nvidiaGpus(() => '').note, 'no NVIDIA GPU: nvidia-smi lists none');
    assert.deepEqual(
      nvidiaGpus(() => '0, NVIDIA H100 80GB HBM3, 535.104.05, 81559\n'),
      { gpus: [H100], note: null },
    );
  });
});

describe('libraries the loader finds', () => {
  test('ldconfig -p: the x86-64 entry of each soname, the first one listed', () => {
    const text = [
      "628 libs found in cache `/etc/ld.so.cache'",
      '\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/lib64/libcudart.so.12',
      '\tlibcudart.so.12 (libc6,x86-64) => /opt/other/libcudart.so.12',
      '\tlibcudnn.so.9 (libc6) => /usr/lib/i386-linux-gnu/libcudnn.so.9',
    ].join('\n');
    const libs = parseLdconfig(text, 'x64');
    assert.equal(libs.get('libcudart.so.12'), '/usr/local/cuda-12.4/lib64/libcudart.so.12');
    assert.equal(libs.has('libcudnn.so.9'), false, 'a 32-bit library does not count on x64');
  });

  test('LD_LIBRARY_PATH comes before the cache, as for the dynamic loader', () => {
    const dir = libDir('ldpath', ['libcudart.so.12']);
    const cache = new Map([
      ['libcudart.so.12', '/usr/lib/libcudart.so.12'],
      ['libcudnn.so.9', '/usr/lib/libcudnn.so.9'],
    ]);
    assert.equal(findLibrary('libcudart.so.12', cache, ['/nowhere', dir]), join(dir, 'libcudart.so.12'));
    assert.equal(findLibrary('libcudnn.so.9', cache, [dir]), '/usr/lib/libcudnn.so.9');
    assert.equal(findLibrary('libcudnn.so.8', cache, [dir]), null);
  });

  test('CUDA toolkits with their versions: version.json, else the folder name, through the cuda link', () => {
    const root = join(tmp, 'usr-local');
    mkdirSync(join(root, 'cuda-11.2'), { recursive: true });
    writeFileSync(
      join(root, 'cuda-11.2', 'version.json'),
      JSON.stringify({ cuda: { name: 'CUDA SDK', version: '11.2.152' } }),
    );
    mkdirSync(join(root, 'cuda-12.4'));
    symlinkSync(join(root, 'cuda-12.4'), join(root, 'cuda'));
    mkdirSync(join(root, 'cudnn-notes'));
    assert.deepEqual(cudaToolkits(root), [
      { path: `${join(root, 'cuda')} -> ${join(root, 'cuda-12.4')}`, version: '12.4' },
      { path: join(root, 'cuda-11.2'), version: '11.2.152' },
      { path: join(root, 'cuda-12.4'), version: '12.4' },
    ]);
    assert.deepEqual(cudaToolkits(join(tmp, 'missing')), []);
  });
});

describe('each GPU stack against the machine', () => {
  test('the versions each needs: libtensorflow 2.9.1 on CUDA 11.2 + cuDNN 8.1, ORT on CUDA 12 + cuDNN 9', () => {
    assert.equal(libtensorflowVersion(), '2.9.1', "read from tfjs-node-gpu's own install constants");
    assert.deepEqual(
      [stack('tfjs-node-gpu').cuda, stack('tfjs-node-gpu').cudnn, stack('tfjs-node-gpu').libraries[0]],
      ['11.2', '8.1', 'libcudart.so.11.0'],
    );
    assert.deepEqual(
      [stack('onnxruntime-cuda').cuda, stack('onnxruntime-cuda').cudnn, stack('onnxruntime-cuda').libraries[0]],
      ['12.x', '9.x', 'libcudart.so.12'],
    );
  });

  test('everything present and a recent driver: no problems', () => {
    const dir = libDir('cuda12', stack('onnxruntime-cuda').libraries);
    const check = checkStack(stack('onnxruntime-cuda'), { gpus: [H100], cache: new Map(), searchPath: [dir] });
    assert.deepEqual(check.problems, []);
    assert.ok(check.libraries.every((l) => l.path === join(dir, l.soname)));
  });

  test('CUDA 13 where CUDA 11.2 is needed: names the missing sonames, the one found, and what to install', () => {
    const cache = new Map([['libcudart.so.13', '/usr/local/cuda-13.0/lib/libcudart.so.13']]);
    const check = checkStack(stack('tfjs-node-gpu'), { gpus: [H100], cache, searchPath: [] });
    assert.equal(check.problems.length, 2);
    assert.match(
      check.problems[0]!,
      /found libcudart\.so\.13, but libtensorflow 2\.9\.1 .* libcudart\.so\.11\.0 \(CUDA 11\.2\)/,
    );
    assert.match(
      check.problems[1]!,
      /^libcudart\.so\.11\.0, libcublas\.so\.11, .*libcudnn\.so\.8 not found .*needs CUDA 11\.2 and cuDNN 8\.1; install/,
    );
  });

  test('only cuDNN missing asks for cuDNN alone; an old driver and no GPU are named', () => {
    const needs = stack('onnxruntime-cuda');
    const dir = libDir(
      'no-cudnn',
      needs.libraries.filter((s) => !s.startsWith('libcudnn')),
    );
    const old = checkStack(needs, { gpus: [{ ...H100, driver: '470.82.01' }], cache: new Map(), searchPath: [dir] });
    assert.deepEqual(
      old.problems.map((p) => p.split(':')[0]),
      [
        'the NVIDIA driver 470.82.01 is older than 525.60.13, the oldest CUDA 12.x runs on',
        'libcudnn.so.9 not found (ld.so cache and LD_LIBRARY_PATH)',
      ],
    );
    assert.match(old.problems[1]!, /needs cuDNN 9\.x;/);
    const none = checkStack(needs, { gpus: [], cache: new Map(), searchPath: [dir] });
    assert.match(none.problems[0]!, /no NVIDIA GPU is visible/);
  });

  test('dotted versions compare numerically', () => {
    assert.equal(versionAtLeast('535.104.05', '525.60.13'), true);
    assert.equal(versionAtLeast('525.60.13', '525.60.13'), true);
    assert.equal(versionAtLeast('525.6', '525.60.13'), false);
    assert.equal(versionAtLeast('1000', '525.60.13'), true);
  });
});

test('the widest float FMA from /proc/cpuinfo flags', () => {
  assert.deepEqual(simdFromFlags(new Set(['sse2', 'avx', 'avx2', 'fma', 'avx512f'])), {
    simd: 'AVX-512',
    fmaLanes: 16,
  });
  assert.deepEqual(simdFromFlags(new Set(['sse2', 'avx', 'avx2', 'fma'])), { simd: 'AVX2 + FMA', fmaLanes: 8 });
  assert.deepEqual(simdFromFlags(new Set(['sse2', 'avx'])), { simd: 'AVX (no FMA)', fmaLanes: null });
  assert.deepEqual(simdFromFlags(new Set()), { simd: 'unknown', fmaLanes: null });
});
