// The embedding map on a real project: features from a real backbone in a training process,
// progress events through every stage, a map stored per backbone that a reopened project
// shows without computing, marked stale when an image is added, and pages of points and
// colouring fields that cover every image.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { openProject } from '../../../../src-main/services/project/project';
import { Studio } from '../../../../src-main/services/studio';
import { insertImage } from '../../../../src-main/store/repos/images';
import type { MapState } from '../../../../src-shared/map';
import { caller, makeProject, tempDir, type Made } from '../../runs/helpers';

let made: Made;
let studio: Studio;
const states: MapState[] = [];
let call: ReturnType<typeof caller>;

const open = async () => {
  studio = new Studio({ runs: { backend: 'wasm' }, map: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96 } });
  call = caller(studio);
  studio.hub.subscribe((m) => m.kind === 'event' && m.name === 'map.state' && states.push(m.payload as MapState));
  await call('folders', 'pick', { path: made.project.dir });
  await call('project', 'open', { path: made.project.dir });
};

before(async () => {
  made = await makeProject(
    ['cols', 'diag', 'rows'].map((className) => ({ className, split: null, count: 8 })),
    tempDir('map'),
  );
  made.project.close();
  await open();
});

after(() => {
  studio?.close();
  rmSync(made.dir, { recursive: true, force: true });
});

test('computes a map of every image with progress, and serves it in pages', async () => {
  assert.equal((await call('map', 'state')).status, 'none');
  await call('map', 'compute');
  await studio.idle();
  const state = await call('map', 'state');
  assert.equal(state.status, 'ready', state.message);
  assert.equal(state.count, 24);
  assert.equal(state.stale, false);
  const stages = new Set<string>(states.flatMap((s) => (s.progress ? [s.progress.stage] : [])));
  for (const stage of ['neighbours', 'layout']) assert.ok(stages.has(stage), `no ${stage} progress: ${[...stages]}`);
  const page = await call('map', 'points', { version: state.version, offset: 10, limit: 5 });
  assert.equal(page.total, 24);
  assert.equal(Buffer.from(page.ids, 'base64').length, 5 * 4);
  assert.equal(Buffer.from(page.xy, 'base64').length, 5 * 8);
  const layers = await call('map', 'layers', { version: state.version });
  const classIds = new Int32Array(Uint8Array.from(Buffer.from(layers.classId, 'base64')).buffer);
  assert.equal(classIds.length, 24);
  assert.ok(
    classIds.every((c) => c > 0),
    'every image here is labeled',
  );
  await assert.rejects(call('map', 'points', { version: state.version + 1 }), /not the current one/);
});

test('a reopened project shows the stored map, and says when images changed since', async () => {
  studio.close();
  await open();
  const state = await call('map', 'state');
  assert.equal(state.status, 'ready');
  assert.equal(state.stale, false);
  studio.close();
  const p = openProject(made.project.dir, { create: false });
  insertImage(p.db, {
    hash: 'a'.repeat(64),
    classId: null,
    split: null,
    width: 4,
    height: 4,
    format: 'png',
    bytes: 10,
    addedAt: 0,
    // The import makeProject recorded.
    importId: 1,
  });
  p.close();
  await open();
  const stale = await call('map', 'state');
  assert.equal(stale.status, 'ready');
  assert.equal(stale.stale, true);
  assert.match(stale.message, /recompute/);
});
