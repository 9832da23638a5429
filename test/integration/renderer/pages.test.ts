// The renderer's page registry (src-renderer/lib/state/pages.svelte.ts) on a real studio: its
// states talk to the studio's handlers through the renderer's own Connection over in-memory
// transports (a JSON round trip, as on the wire), on a real project of real images. A page's
// state is made when the page opens and disposed when it closes: after that, the events it
// listened to and the form it followed ask nothing of the studio.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClientMessage } from '../../../src-shared/rpc';
import { memoryTransports, serve } from '../../../src-main/rpc/dispatcher';
import { Studio } from '../../../src-main/services/studio';
import { makeImage } from '../../fixtures/images';

register('./svelte-modules.mjs', import.meta.url);
const { Connection } = await import('../../../src-renderer/lib/state/connection.svelte');
const { PagesState } = await import('../../../src-renderer/lib/state/pages.svelte');
const { RunsState } = await import('../../../src-renderer/lib/state/runs.svelte');
const { LauncherState } = await import('../../../src-renderer/lib/state/launcher.svelte');
const { PREVIEW_DEBOUNCE_MS } = await import('../../../src-renderer/lib/state/augment-preview.svelte');
const { flushSync } = await import('svelte');

/** Resolves once `ok()` holds, checking every 10 ms for at most 10 s. */
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('page states made and disposed in one place', () => {
  let tmp: string;
  let studio: Studio;
  let stop: () => void;
  const calls: string[] = [];
  let connection: InstanceType<typeof Connection>;
  let classId: number;
  let imageIds: number[];
  const count = (method: string) => calls.filter((c) => c === method).length;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-pages-'));
    const data = join(tmp, 'data');
    mkdirSync(data);
    for (let seed = 0; seed < 6; seed++) writeFileSync(join(data, `img-${seed}.png`), await makeImage(seed, 'png'));
    studio = new Studio({ modelCacheDir: join(tmp, 'models'), configDir: join(tmp, 'config') });
    studio.open({ path: join(tmp, 'project'), create: true });
    const { client, server } = memoryTransports();
    stop = serve(studio, studio.hub, server);
    // Every call the renderer's states send, as service.method, so a test sees who asked.
    const send = (m: ClientMessage) => (calls.push(`${m.service}.${m.method}`), client.send(m));
    connection = new Connection(
      { send, onMessage: client.onMessage, onStatus: (l) => (l('open', false), () => {}), retryNow() {} },
      { thumbUrl: (h) => `/thumb/${h}`, imageUrl: (h) => `/image/${h}` },
    );
    await connection.api.folders.pick({ path: data });
    await connection.api.imports.start({ folder: data });
    await studio.idle();
    classId = (await connection.api.classes.create({ name: 'shirt' })).classId;
    imageIds = (await connection.api.dataset.images({ filter: {}, offset: 0, limit: 10 })).items.map((i) => i.id);
    assert.equal(imageIds.length, 6);
  });

  after(async () => {
    stop();
    await studio.idle();
    studio.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Labels one more image, and resolves once this connection has seen the studio's labels.changed. */
  async function labelOne(index: number): Promise<void> {
    let seen = false;
    const off = connection.on('labels.changed', () => (seen = true));
    await connection.api.labels.assign({ imageIds: [imageIds[index]!], classId });
    await until('labels.changed arrives', () => seen);
    off();
  }

  test('the Health page loads when it opens, follows label edits while open, and stops when it closes', async () => {
    const pages = new PagesState(connection, {
      runs: new RunsState(connection),
      launcher: new LauncherState(connection),
    });
    pages.show({ page: 'health', runId: null });
    const open = pages.open;
    assert.equal(open?.page, 'health');
    const health = open.page === 'health' ? open.state : assert.fail('not the health page');
    await until('the report arrives', () => health.report !== null);
    assert.equal(health.report!.unlabeled, 6);
    assert.equal(count('curation.health'), 1);

    // The same place again keeps the state and asks nothing.
    pages.show({ page: 'health', runId: null });
    assert.equal(pages.open, open);
    assert.equal(count('curation.health'), 1);

    await labelOne(0);
    await until('the open page reloads after the edit', () => health.report?.unlabeled === 5);
    assert.equal(count('curation.health'), 2);

    pages.show({ page: 'dataset', runId: null });
    assert.deepEqual(pages.open, { page: 'dataset' });
    await labelOne(1);
    // The event has reached every listener by now: the closed page's state asked nothing.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(count('curation.health'), 2);
    assert.equal(health.report!.unlabeled, 5, 'the disposed state kept its last answer');

    pages.show({ page: 'health', runId: null });
    assert.notEqual(pages.open, open, 'opening the page again makes a fresh state');
    const again = pages.open?.page === 'health' ? pages.open.state : assert.fail('not the health page');
    await until('the fresh state loads', () => again.report?.unlabeled === 4);
    pages.close();
    assert.equal(pages.open, null);
  });

  test('a run page is one state per run, and the Train page stops following the form when it closes', async () => {
    const launcher = new LauncherState(connection);
    const pages = new PagesState(connection, { runs: new RunsState(connection), launcher });
    pages.show({ page: 'runs', runId: 41 });
    const run41 = pages.open;
    assert.equal(run41?.page === 'run' && run41.state.runId, 41);
    pages.show({ page: 'runs', runId: 41 });
    assert.equal(pages.open, run41);
    pages.show({ page: 'runs', runId: 42 });
    assert.equal(pages.open?.page === 'run' && pages.open.state.runId, 42);
    pages.show({ page: 'runs', runId: null });
    assert.equal(pages.open?.page, 'runs');

    const before = count('backbones.list');
    pages.show({ page: 'train', runId: null });
    await until('the launcher lists the backbones', () => launcher.backbones.length > 0);
    assert.equal(count('backbones.list'), before + 1);
    launcher.fields.augmentOn = true;
    flushSync();
    await until('the preview is asked for', () => count('runs.augmentPreview') === 1);

    pages.show({ page: 'dataset', runId: null });
    const augment = launcher.form.input.config.augment!;
    augment.flip = !augment.flip;
    flushSync();
    // A pending ask would go after the debounce: wait it out twice over, then none may have gone.
    await new Promise((r) => setTimeout(r, 2 * PREVIEW_DEBOUNCE_MS));
    assert.equal(count('runs.augmentPreview'), 1);
  });
});
