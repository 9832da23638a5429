// The assistant on a real project: features from a real backbone in a training process,
// suggestions that follow label changes, accept-above as one undo step, and planted wrong
// labels found by its out-of-fold disagreement list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildProgram } from '../../../../src-main/cli/index';
import { Studio } from '../../../../src-main/services/studio';
import type { AssistState } from '../../../../src-shared/assist';
import { caller, makeProject, tempDir, type Made } from '../../runs/helpers';

let made: Made;
let studio: Studio;
const states: AssistState[] = [];
let call: ReturnType<typeof caller>;

/** Three stripe classes of 12 images; the first 4 of each are left unlabeled. */
const byClass = (name: string) => made.files.filter((f) => f.className === name);

before(async () => {
  made = await makeProject(
    ['cols', 'diag', 'rows'].map((className) => ({ className, split: null, count: 12 })),
    tempDir('assist'),
  );
  made.project.close();
  studio = new Studio({
    runs: { backend: 'wasm' },
    assist: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96, auto: true, debounceMs: 20 },
  });
  call = caller(studio);
  studio.hub.subscribe((m) => m.kind === 'event' && m.name === 'assist.state' && states.push(m.payload as AssistState));
  await call('folders', 'pick', { path: made.project.dir });
  await call('project', 'open', { path: made.project.dir });
  const unlabel = ['cols', 'diag', 'rows'].flatMap((c) =>
    byClass(c)
      .slice(0, 4)
      .map((f) => f.imageId),
  );
  await call('labels', 'assign', { imageIds: unlabel, classId: null });
});

after(() => {
  studio.close();
  rmSync(made.dir, { recursive: true, force: true });
});

test('it builds the features with progress, trains, and predicts every image with a cross-validated accuracy', async () => {
  const state: AssistState = await call('assist', 'refresh');
  assert.equal(state.status, 'ready', state.message);
  assert.ok(
    states.some((s) => s.status === 'building' && s.progress && s.progress.total === 36),
    'the cache build reported progress',
  );
  assert.equal(state.predicted, 36);
  assert.equal(state.labeled, 24);
  const acc = state.accuracy!;
  assert.equal(acc.n, 24);
  assert.ok(acc.low <= acc.value && acc.value <= acc.high + 1e-9, JSON.stringify(acc));
  assert.match(state.message, /Cross-validated accuracy \d+ % \(95 % interval/);

  const { items, total } = await call('assist', 'suggestions', {});

  test("the readout's cache build also fills phase 1's pooled cache, with the same values", () => {
    const root = join(made.project.dir, 'cache', 'features');
    const dirs = readdirSync(root);
    const readout = dirs.find((d) => d.startsWith('nsfwjs_mobilenet_v2-96-readout-'));
    const pooled = dirs.find((d) => d.startsWith('nsfwjs_mobilenet_v2-96-pool-avg-'));
    assert.ok(readout && pooled, `cache folders: ${dirs.join(', ')}`);
    const files = (dir: string) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('-v0.f32'))
        .sort();
    assert.equal(files(readout).length, 36);
    assert.deepEqual(
      files(pooled).map((f) => basename(f)),
      files(readout).map((f) => basename(f)),
    );
    const values = (dir: string, f: string) => {
      const b = readFileSync(join(root, dir, f));
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    for (const f of files(readout)) {
      const whole = values(readout, f);
      const tail = whole.subarray(whole.length - 1280);
      assert.deepEqual(values(pooled, f), tail, f);
    }
  });
  assert.equal(total, 12, 'the unlabeled images');
  const classes = await call('dataset', 'classes');
  const idOf = (name: string) => classes.find((c: any) => c.name === name).id;
  const right = items.filter(
    (s: any) => s.classId === idOf(made.files.find((f) => f.imageId === s.imageId)!.className!),
  ).length;
  assert.ok(right >= 10, `${right} of 12 suggestions are the true class`);
  assert.ok(
    items.every(
      (s: any, i: number) =>
        s.labelClassId === null &&
        s.margin >= 0 &&
        s.margin <= s.probability &&
        (i === 0 || s.probability <= items[i - 1].probability),
    ),
  );
});

test('suggestions follow label changes: a labeled image leaves the list at once, and the assistant retrains', async () => {
  const before = await call('assist', 'state');
  const first = (await call('assist', 'suggestions', { limit: 1 })).items[0];
  await call('labels', 'assign', { imageIds: [first.imageId], classId: first.classId });
  const now = await call('assist', 'suggestions', {});
  assert.equal(now.total, 11);
  assert.ok(!now.items.some((s: any) => s.imageId === first.imageId));
  const after = await studio.idle().then(() => call('assist', 'state'));
  assert.equal(after.version, before.version + 1, 'one retraining after the change');
  assert.equal(after.labeled, 25);
  await call('labels', 'undo');
  await studio.idle();
});

test('the queue gives distinct unlabeled images, most uncertain first', async () => {
  const { items } = await call('assist', 'queue', { count: 5 });
  assert.equal(items.length, 5);
  assert.equal(new Set(items.map((s: any) => s.imageId)).size, 5);
  const all = (await call('assist', 'suggestions', { sort: 'uncertainty', limit: 1 })).items[0];
  assert.equal(items[0].imageId, all.imageId);
});

test('accept-above previews, then labels as one undo step', async () => {
  const classes = await call('dataset', 'classes');
  const diag = classes.find((c: any) => c.name === 'diag').id;
  const preview = await call('assist', 'accept', { threshold: 0, classId: diag, preview: true });
  const expected = (await call('assist', 'suggestions', { classId: diag })).total;
  assert.equal(preview.total, expected);
  assert.equal(preview.editId, null);
  assert.deepEqual(
    preview.perClass.map((p: any) => [p.name, p.count]),
    [['diag', expected]],
  );
  assert.equal((await call('assist', 'suggestions', {})).total, 12, 'a preview changes nothing');

  const done = await call('assist', 'accept', { threshold: 0, classId: diag });
  assert.equal(done.total, expected);
  assert.ok(done.editId !== null && done.canUndo);
  const labeled = await call('dataset', 'images', { filter: { classId: diag } });
  assert.equal(labeled.total, 8 + expected);
  const history = await call('labels', 'history', { limit: 1 });
  assert.match(history.edits[0].description, /^Accepted \d+ suggestions? at 0 % or above: "diag"/);
  await call('labels', 'undo');
  assert.equal((await call('dataset', 'images', { filter: { classId: diag } })).total, 8, 'one undo restores them all');
  await studio.idle();
});

test('accepting a selection labels only its unlabeled images, each with its own suggestion, as one undo step', async () => {
  const unlabeled = (await call('assist', 'suggestions', { which: 'unlabeled', sort: 'image' })).items;
  const picked = unlabeled.slice(0, 3);
  const labeledOne = byClass('cols')[8]!.imageId; // labeled: its suggestion, if any, is not taken
  const labelOf = async () =>
    new Map((await call('dataset', 'images', { limit: 200 })).items.map((im: any) => [im.id, im.classId] as const));
  const labelBefore = (await labelOf()).get(labeledOne);
  assert.notEqual(labelBefore, null);
  const out = await call('assist', 'accept', {
    threshold: 0,
    imageIds: [...picked.map((s: any) => s.imageId), labeledOne],
  });
  assert.equal(out.total, 3);
  assert.ok(out.editId !== null && out.canUndo);
  const classOf = await labelOf();
  for (const s of picked) assert.equal(classOf.get(s.imageId), s.classId, `image ${s.imageId}`);
  assert.equal(classOf.get(labeledOne), labelBefore, 'a labeled image in the selection keeps its label');
  const others = unlabeled.slice(3).map((s: any) => s.imageId);
  assert.ok(
    others.every((id: number) => classOf.get(id) === null),
    'images outside the selection stay unlabeled',
  );
  const history = await call('labels', 'history', { limit: 1 });
  assert.match(history.edits[0].description, /^Accepted 3 suggestions of 4 selected images: /);
  await call('labels', 'undo');
  const back = await labelOf();
  assert.ok(
    picked.every((s: any) => back.get(s.imageId) === null),
    'one undo unlabels all three',
  );
  await studio.idle();
});

test('planted wrong labels lead the disagreement list', async () => {
  const classes = await call('dataset', 'classes');
  const rows = classes.find((c: any) => c.name === 'rows').id;
  const planted = [byClass('cols')[6]!.imageId, byClass('diag')[9]!.imageId];
  await call('labels', 'assign', { imageIds: planted, classId: rows });
  await studio.idle();
  const out = await call('assist', 'disagreements', { limit: 10 });
  const found = out.items.filter((d: any) => planted.includes(d.imageId));
  assert.equal(found.length, 2, JSON.stringify(out.items));
  assert.ok(
    found.every((d: any) => d.labelClassId === rows && d.suggestedClassId !== rows && d.source === 'assistant'),
  );
});

async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => void printed.push(line);
  try {
    await buildProgram().parseAsync([
      'node',
      'studio',
      'suggest',
      made.project.dir,
      '--backbone',
      'nsfwjs_mobilenet_v2',
      '--input-size',
      '96',
      ...args,
    ]);
  } finally {
    console.log = log;
  }
  return printed.join('\n');
}

test('studio suggest prints what the contract gives, and refuses a bad probability or class by name', async () => {
  const printed = JSON.parse(await cli('--json', '--limit', '3'));
  assert.equal(printed.state.status, 'ready');
  const api = await call('assist', 'suggestions', { limit: 3 });
  assert.deepEqual(
    printed.suggestions.items.map((s: any) => s.imageId),
    api.items.map((s: any) => s.imageId),
  );
  await assert.rejects(cli('--accept-above', '1.5'), /--accept-above: "1.5" is not a probability/);
  await assert.rejects(cli('--accept-above', '0.5', '--class', 'nope'), /--class: there is no class "nope"/);
  const text = await cli('--accept-above', '0', '--class', 'cols');
  assert.match(text, /^Labeled \d+ images? \(cols \d+\) as one edit/);
});

test('a class without images makes it wait, and says which', async () => {
  await call('classes', 'create', { name: 'empty' });
  await studio.idle();
  const state: AssistState = await call('assist', 'state');
  assert.equal(state.status, 'waiting');
  assert.deepEqual(
    state.short.map((s) => [s.name, s.labeled]),
    [['empty', 0]],
  );
  assert.match(state.message, /"empty" has 0/);
});
