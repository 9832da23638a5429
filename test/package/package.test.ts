// The desktop package as electron-builder makes it, offline: a stand-in Electron executable
// (Electron's binary cannot be downloaded here; electron-builder only copies it), the
// bundles from scripts/build-electron.mjs, then `electron-builder --linux dir`. The package
// is checked for what it must hold, and its entries run: import, a two-epoch run, the UI.
//
// Plain node cannot read app.asar; Electron can, and so can its binary under
// ELECTRON_RUN_AS_NODE=1, which is how the packaged server and CLI run. The test emulates
// that by extracting the archive (extractAll also takes the unpacked files from
// app.asar.unpacked) into a folder named app.asar in the archive's place, beside the real
// app.asar.unpacked, so the entries resolve their packages exactly as inside the archive and
// see the paths they see packaged. A worker thread cannot be relied on to read app.asar: the
// extracted copy of the shard worker is removed, so a phase 2 in shards must load the
// unpacked one, and that one finds nothing of app.asar's node_modules from where it is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { extractAll, listPackage } from '@electron/asar';
import sharp from 'sharp';

const run = promisify(execFile);
const repo = process.cwd();
const root = mkdtempSync(join(tmpdir(), 'fs-package-'));
const out = join(root, 'out');
const resources = join(out, 'linux-unpacked', 'resources');
const app = join(resources, 'app.asar');
const archive = join(root, 'app.asar');
// No tsx, no loader flags: the entries must run as built.
const plainEnv = { ...process.env, NODE_OPTIONS: '', STUDIO_MODEL_CACHE: join(root, 'models') };

let asarFiles: string[] = [];

function electronVersion(): string {
  return (JSON.parse(readFileSync(join(repo, 'node_modules/electron/package.json'), 'utf8')) as { version: string })
    .version;
}

before(
  async () => {
    if (!existsSync(join(repo, 'dist/renderer/index.html')))
      await run('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: repo });
    await run(process.execPath, ['scripts/build-electron.mjs'], { cwd: repo });
    const electronDist = join(root, 'electron');
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for Electron" >&2\nexit 1\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    await run(
      process.execPath,
      [
        'node_modules/electron-builder/cli.js',
        '--linux',
        'dir',
        `--config.electronDist=${electronDist}`,
        `--config.electronVersion=${electronVersion()}`,
        '--config.npmRebuild=false',
        `--config.directories.output=${out}`,
        '--publish',
        'never',
      ],
      { cwd: repo, maxBuffer: 32 * 1024 * 1024 },
    );
    asarFiles = listPackage(app, { isPack: false });
    extractAll(app, join(root, 'app'));
    renameSync(app, archive);
    renameSync(join(root, 'app'), app);
    rmSync(join(app, 'dist/engine/shard-worker.mjs'));
  },
  { timeout: 300_000 },
);

function unpackedFiles(): string[] {
  const base = join(resources, 'app.asar.unpacked');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [`/${relative(base, join(dir, name))}`],
    );
  return walk(base);
}

function sizeOf(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((n, name) => n + sizeOf(join(path, name)), 0) : st.size;
}

test('the archive holds every entry, the renderer and the resources, and no sources, tests or maps', (t) => {
  for (const file of [
    '/dist/electron/main.cjs',
    '/dist/electron/preload.cjs',
    '/dist/engine/entry.mjs',
    '/dist/engine/shard-worker.mjs',
    '/dist/assist/fit-worker.cjs',
    '/dist/server/cli-serve.mjs',
    '/dist/cli/studio.mjs',
    '/dist/renderer/index.html',
    '/resources/backbones.json',
    '/resources/icons/512x512.png',
    '/resources/icons/256x256.png',
    '/resources/icons/icon.svg',
  ])
    assert.ok(asarFiles.includes(file), `${file} is in app.asar`);
  for (const banned of [
    /^\/src-/,
    /^\/test\//,
    /^\/scripts\//,
    /\.map$/,
    /^\/node_modules\/(tsx|esbuild|zod|electron|electron-builder|vite|svelte)\//,
    /\.d\.ts$/,
  ]) {
    assert.deepEqual(asarFiles.filter((f) => banned.test(f)).slice(0, 3), [], `nothing matches ${banned}`);
  }
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/electron/main.cjs');
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  t.diagnostic(
    `package ${mb(sizeOf(join(out, 'linux-unpacked')))}: app.asar ${mb(sizeOf(archive))}, app.asar.unpacked ${mb(sizeOf(join(resources, 'app.asar.unpacked')))}`,
  );
});

test('what must be a real file is unpacked: native addons, their libraries, the wasm binaries, the bundled models', () => {
  const unpacked = unpackedFiles();
  for (const wanted of [
    /^\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/,
    /^\/node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64.*\.node$/,
    /^\/node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/,
    /^\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/linux\/x64\/onnxruntime_binding\.node$/,
    /^\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/linux\/x64\/libonnxruntime\.so/,
    /^\/node_modules\/webgpu\/dist\/linux-x64\/dawn\.node$/,
    /^\/node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/tfjs-backend-wasm\.wasm$/,
    /^\/node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/tfjs-backend-wasm-simd\.wasm$/,
    /^\/node_modules\/nsfwjs\/dist\/models\/mobilenet_v2\/model\.min\.js$/,
    /^\/node_modules\/nsfwjs\/dist\/models\/inception_v3\/model\.min\.js$/,
    /^\/dist\/engine\/shard-worker\.mjs$/,
  ])
    assert.ok(
      unpacked.some((f) => wanted.test(f)),
      `${wanted} is in app.asar.unpacked`,
    );
  assert.deepEqual(
    unpacked.filter((f) => /onnxruntime-node\/bin\/napi-v\d+\/(darwin|win32)\//.test(f)).slice(0, 3),
    [],
    "only this platform's ONNX Runtime",
  );
  assert.deepEqual(
    unpacked.filter((f) => /\/webgpu\/dist\/(?!linux-x64\/)/.test(f)),
    [],
    "only this platform's dawn.node",
  );
});

async function writeImages(dir: string): Promise<void> {
  for (const [label, base] of [
    ['dark', 40],
    ['light', 210],
  ] as const) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const w = 40;
      const px = Buffer.alloc(w * w * 3);
      for (let k = 0; k < w * w; k++) {
        const v = Math.floor(k / w) % 10 < 3 + (i % 3) ? 255 - base : base + i;
        px.set([v, v, (v + 30) % 256], k * 3);
      }
      await sharp(px, { raw: { width: w, height: w, channels: 3 } })
        .png()
        .toFile(join(dir, label, `${i}.png`));
    }
  }
}

test(
  'the packaged CLI imports images and trains a two-phase run, phase 2 in 2 shards, in the packaged engine',
  { timeout: 300_000 },
  async (t) => {
    const images = join(root, 'images');
    const project = join(root, 'project');
    await writeImages(images);
    const cli = (args: string[], env: NodeJS.ProcessEnv = plainEnv) =>
      run(process.execPath, ['dist/cli/studio.mjs', ...args], { cwd: app, env });
    const imported = await cli(['import', project, images]);
    assert.match(imported.stdout, /16 new images/);
    await cli(['split', project, '--val', '0.25', '--test', '0.25', '--seed', '1']);
    // Set, not the default: the machine's load must not decide what this checks.
    const trained = await cli(
      ['train', project, '--backbone', 'nsfwjs_mobilenet_v2', '--input-size', '96', '--epochs', '2', '--unfreeze', '1'],
      { ...plainEnv, STUDIO_TRAIN_SHARDS: '2' },
    );
    assert.match(trained.stdout, /Run 1 .*: done/, trained.stdout + trained.stderr);
    const runs = await cli(['runs', project]);
    assert.match(runs.stdout, /done/);
    // The worker's bundle loaded from app.asar.unpacked and stepped half of each batch.
    const evaluated = await cli(['eval', project, '1']);
    const phases = evaluated.stdout.split('\n').filter((l) => l.startsWith('Phase '));
    t.diagnostic(phases.map((l) => l.split(' (')[0]).join(' / '));
    assert.match(phases[0] ?? '', /^Phase 1 trained on wasm( \(|$)/, evaluated.stdout);
    assert.match(phases[1] ?? '', /^Phase 2 trained on wasm, 2 shards( \(|$)/, evaluated.stdout);
  },
);

test('the packaged server serves the UI', { timeout: 60_000 }, async () => {
  const server = spawn(process.execPath, ['dist/server/cli-serve.mjs', '--port', '0'], {
    cwd: app,
    env: plainEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      server.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /Finetune Studio: (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      server.stderr.on('data', (d: Buffer) => void (text += d.toString()));
      server.on('exit', (code) => reject(new Error(`the server exited (${code}): ${text}`)));
    });
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => void (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    assert.equal(page.status, 200);
    assert.match(page.body, /<html[\s\S]*<script[^>]+src="[^"]*assets\//);
  } finally {
    server.kill('SIGTERM');
  }
});
