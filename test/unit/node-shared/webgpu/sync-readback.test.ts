// WebGPU in Node has no synchronous readback (dataSync/arraySync/bufferSync throw
// "OffscreenCanvas is not defined" once values live on the GPU). The training process's
// bundle is built here as scripts/build-electron.mjs builds it; every synchronous read in
// it must come from a source line marked `sync-read-ok:` on the line above, saying why it
// is safe (values fetched first, or a job that never runs on WebGPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';

const SYNC_READ = /\.(dataSync|arraySync|bufferSync)\(/g;

async function engineBundle(): Promise<{ text: string; sources: string[] }> {
  const options = '../../../../scripts/bundle-options.mjs';
  const entries = '../../../../scripts/build-electron-entries.mjs';
  const { esm } = (await import(options)) as { esm: BuildOptions };
  const { engineEntry } = (await import(entries)) as { engineEntry: BuildOptions['stdin'] };
  const r = await build({
    ...esm,
    stdin: engineEntry,
    outfile: 'entry.mjs',
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'error',
  });
  const sources = Object.keys(r.metafile!.inputs).filter(
    (f) => /^src-(training|node-shared|shared)\/.*\.ts$/.test(f) && existsSync(f),
  );
  return { text: r.outputFiles![0]!.text, sources };
}

test('the training process reads tensors back synchronously only where a marked line says why it is safe', async () => {
  const { text, sources } = await engineBundle();
  assert.ok(
    sources.some((f) => f === 'src-training/trainer.ts'),
    'the bundle holds the trainer',
  );
  const unmarked: string[] = [];
  let marked = 0;
  for (const file of sources) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const hits = line.match(SYNC_READ)?.length ?? 0;
      if (hits === 0 || line.trim().startsWith('//')) return;
      if (lines[i - 1]?.includes('sync-read-ok:')) marked += hits;
      else unmarked.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(unmarked, [], 'synchronous readback on the training process path: use `await t.data()` instead');
  const inBundle = text.match(SYNC_READ)?.length ?? 0;
  assert.equal(
    inBundle,
    marked,
    `the bundle has ${inBundle} synchronous reads, the marked sources ${marked}: one came from code outside src-training, src-node-shared and src-shared`,
  );
});
