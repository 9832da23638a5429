// `studio doctor` as a user runs it: every rung of the training and inference ladders is
// named with its state (a reason wherever it is not ok), ORT's CPU provider runs here with
// every core, tfjs-node without its addon says so, and the devices, CUDA libraries and
// model cache are those of the machine. nvidia-smi and the CUDA libraries are stand-ins
// on PATH and LD_LIBRARY_PATH, so the test says the same on a GPU box and in CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { SystemCheckReport, RungState } from '../../../src-shared/system';
import { importWeightsFile } from '../../../src-node-shared/backbones/model-cache';
import { GPU_STACKS } from '../../../src-node-shared/system-probe';
import { studioArgv } from '../../fixtures/children';

const repo = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const STATES = RungState.options;

/** Whether a tfjs native package has its addon: the one thing the offline install leaves out. */
function hasAddon(pkg: string): boolean {
  const lib = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib');
  return existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
}

function doctor(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, studioArgv('doctor', ...args), {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('studio doctor', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let report: SystemCheckReport;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-doctor-'));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'nvidia-smi'), '#!/bin/sh\necho "0, NVIDIA H100 80GB HBM3, 535.104.05, 81559"\n');
    chmodSync(join(bin, 'nvidia-smi'), 0o755);
    const libs = join(tmp, 'cuda12');
    mkdirSync(libs);
    // Every library ONNX Runtime's CUDA 12 stack needs; tfjs-node-gpu's CUDA 11 ones stay missing.
    for (const s of GPU_STACKS.find((g) => g.id === 'onnxruntime-cuda')!.libraries) writeFileSync(join(libs, s), '');
    const cache = join(tmp, 'models');
    writeFileSync(join(tmp, 'w.h5'), 'not really weights');
    await importWeightsFile(join(tmp, 'w.h5'), 'mobilenet_2_5_224_tf_no_top.h5', cache);
    env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      LD_LIBRARY_PATH: libs,
      STUDIO_MODEL_CACHE: cache,
      STUDIO_INFERENCE: '',
    };
    report = SystemCheckReport.parse(JSON.parse(doctor(env, '--json')));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('names every rung of both ladders with a state, and a reason wherever it is not ok', () => {
    assert.deepEqual(
      report.training.map((r) => r.id),
      ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'],
    );
    assert.deepEqual(
      report.inference.map((r) => r.id),
      [
        'onnxruntime-cuda',
        'onnxruntime-cpu',
        'tfjs-tensorflow-gpu',
        'tfjs-webgpu',
        'tfjs-tensorflow',
        'tfjs-wasm',
        'tfjs-cpu',
      ],
    );
    for (const r of [...report.training, ...report.inference]) {
      assert.ok(STATES.includes(r.state), `${r.id}: ${r.state}`);
      if (r.state !== 'ok') assert.ok(r.reason && r.reason.length > 10, `${r.id} is ${r.state} without a reason`);
    }
    assert.equal(report.training.filter((r) => r.chosen).length, 1);
    assert.equal(report.inference.filter((r) => r.chosen).length, 1);
  });

  test('ORT on the CPU runs here with every core; the CUDA provider, never fetched offline, says so', () => {
    const cpu = report.inference.find((r) => r.id === 'onnxruntime-cpu')!;
    assert.equal(cpu.state, 'ok');
    assert.match(
      cpu.detail!,
      new RegExp(`onnxruntime-node 1\\.\\d+\\.\\d+ \\(native 1\\.\\d+\\.\\d+\\), ${availableParallelism()} threads`),
    );
    const cuda = report.inference.find((r) => r.id === 'onnxruntime-cuda')!;
    if (cuda.state !== 'ok') assert.match(cuda.reason!, /libonnxruntime_providers_cuda\.so|CUDA/);
    assert.equal(
      report.inference.find((r) => r.chosen)!.id,
      cuda.state === 'ok' ? 'onnxruntime-cuda' : 'onnxruntime-cpu',
    );
  });

  test('tfjs-node without its addon is not available and says why; wasm trains', () => {
    const node = report.training.find((r) => r.id === 'tensorflow')!;
    if (hasAddon('@tensorflow/tfjs-node')) assert.notEqual(node.state, 'not available');
    else
      assert.deepEqual(
        [node.state, /without its native addon.*install script must run on a networked machine/.test(node.reason!)],
        ['not available', true],
      );
    if (!hasAddon('@tensorflow/tfjs-node-gpu')) {
      assert.equal(report.training[0]!.state, 'not available');
      assert.equal(
        report.training.find((r) => r.chosen)!.id,
        hasAddon('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm',
      );
    }
    assert.equal(report.training.find((r) => r.id === 'wasm')!.state, 'ok');
    // No hardware adapter here: no Vulkan loader on this LD_LIBRARY_PATH, or lavapipe, which is software.
    const gpu = report.training.find((r) => r.id === 'webgpu')!;
    assert.equal(gpu.state, 'not available');
    assert.match(gpu.reason!, /no WebGPU adapter: .{20}|the only WebGPU adapter is a software one/);
  });

  test('the GPU nvidia-smi lists, and the CUDA libraries each stack needs found or missing', () => {
    assert.deepEqual(report.devices, {
      gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', driver: '535.104.05', memoryMiB: 81559 }],
      note: null,
    });
    const ort = report.cuda.stacks.find((s) => s.id === 'onnxruntime-cuda')!;
    assert.deepEqual(ort.problems, []);
    assert.equal(ort.libraries[0]!.path, join(tmp, 'cuda12', 'libcudart.so.12'));
    const tf = report.cuda.stacks.find((s) => s.id === 'tfjs-node-gpu')!;
    assert.match(
      tf.problems.join('\n'),
      /libcudart\.so\.11\.0, .*libcudnn\.so\.8 not found .*CUDA 11\.2 and cuDNN 8\.1/,
    );
    assert.deepEqual(report.cuda.ldLibraryPath, [join(tmp, 'cuda12')]);
  });

  test('the CPU, memory, model cache and versions', () => {
    assert.equal(report.cpu.cores, availableParallelism());
    assert.ok(report.memory.totalBytes > report.memory.freeBytes && report.memory.freeBytes > 0);
    assert.deepEqual(
      report.modelCache.files.map((f) => [f.file, f.bytes, f.source]),
      [['mobilenet_2_5_224_tf_no_top.h5', 18, 'import']],
    );
    assert.equal(report.versions.node, process.versions.node);
    assert.match(report.versions['onnxruntime-node']!, /^1\.\d+\.\d+$/);
    assert.equal(report.versions['libtensorflow (tfjs-node-gpu fetches)'], '2.9.1');
  });

  test('as text: each rung on its line with its state, the chosen one marked; no nvidia-smi is said plainly', () => {
    const text = doctor({ ...env, PATH: join(tmp, 'empty-path') });
    for (const r of [...report.training, ...report.inference]) {
      assert.match(text, new RegExp(`^  ${r.chosen ? '>' : ' '} ${r.id}\\s+${r.state}`, 'm'), r.id);
    }
    assert.match(text, /^ {4}onnxruntime-cuda\s+not available: |^ {2}> onnxruntime-cuda\s+ok/m);
    assert.match(text, /^ {2}no NVIDIA GPU: nvidia-smi not found$/m);
    assert.match(text, /^ {2}CPU: .*, \d+ cores, (AVX-512|AVX2 \+ FMA|AVX \(no FMA\)|SSE|unknown)/m);
    assert.match(text, /^ {6}libcudart\.so\.11\.0\s+missing$/m);
  });
});
