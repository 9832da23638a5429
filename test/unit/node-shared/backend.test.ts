// The cpu backend's "install our node backend" banner never reaches a command's stderr:
// the studio chooses its backend itself and says which. A fresh process, so this file's
// first tensor is the cpu backend's first use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..', '..');

test('selecting the cpu backend and making tensors prints no tfjs banner', () => {
  const script = `
    const { selectBackend, ensureBackend } = await import(${JSON.stringify(join(repo, 'src-node-shared/backend.ts'))});
    const tf = await import('@tensorflow/tfjs');
    const picked = await selectBackend({ prefer: 'cpu' });
    await ensureBackend();
    tf.tensor([1, 2, 3]).square().dataSync();
    console.log('backend', picked.name, tf.getBackend());
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^backend cpu cpu$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /looks like you are running TensorFlow\.js in Node\.js/);
});
