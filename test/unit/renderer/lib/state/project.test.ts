// Which project is open, on a fake connection: opening shows as busy and its failure is
// shown; a failed close is shown too, and the next open clears it.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { StudioError } from '../../../../../src-shared/errors';
import { deferred, fakeConnection } from './fake-connection';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { ProjectState } = await import('../../../../../src-renderer/lib/state/project.svelte');

test('opening is busy while it runs; a refusal is shown and a later open clears it', async () => {
  let refuse = true;
  const held = deferred<void>();
  const fake = fakeConnection({
    'project.current': () => null,
    'project.recent': () => [],
    'project.open': async (input) => {
      await held.promise;
      if (refuse) throw new StudioError('not-found', '/x is not a Finetune Studio project.');
      return { name: 'x', path: (input as { path: string }).path };
    },
    'project.close': () => {
      throw new StudioError('busy', 'A run is training.');
    },
  });
  const project = new ProjectState(fake.studio);
  await project.load();
  assert.equal(project.loaded, true);
  const opening = project.open('/x', false);
  assert.equal(project.busy, true);
  held.resolve();
  await opening;
  assert.equal(project.busy, false);
  assert.equal(project.error, '/x is not a Finetune Studio project.');
  refuse = false;
  await project.open('/x', true);
  assert.equal(project.error, null);
  assert.equal(project.info?.path, '/x');
  await project.close();
  assert.equal(project.error, 'A run is training.');
  assert.equal(project.info?.path, '/x', 'a refused close keeps the project');
});
