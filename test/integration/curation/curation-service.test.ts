// The curation service through the studio's handlers, on real Fashion-MNIST images: grouped
// splits, the leakage fix and its undo, CSV round trip and errors, health.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Studio } from '../../../src-main/services/studio';
import { writeCopiesDataset, writeGroupedDataset, writeLeakyDataset } from '../../fixtures/curation-dataset';
import { skipWithoutData } from '../../fixtures/fashion-copies';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

async function studioWith(write: (root: string) => Promise<unknown>) {
  const data = temp('data');
  await write(data);
  const studio = new Studio();
  studio.open({ path: temp('project'), create: true });
  const h = studio.handlers();
  // The data and the CSV files live under the temp folder: chosen once, as the folder browser would.
  await h.folders.pick({ path: tmpdir() });
  await h.imports.start({ folder: data });
  await studio.idle();
  return { studio, h, data, db: studio.project!.db };
}

const splitsByGroup = (db: Studio['project'] & object) => {
  const rows = db.db.prepare('SELECT group_key AS g, split FROM images').all() as {
    g: string | null;
    split: string | null;
  }[];
  const by = new Map<string, Set<string | null>>();
  for (const r of rows) by.set(r.g ?? '', (by.get(r.g ?? '') ?? new Set()).add(r.split));
  return by;
};

describe('curation service', { skip: skipWithoutData }, () => {
  test('a split grouped by folder or by pattern never lets a group straddle splits, and undo restores', async () => {
    const { studio, h } = await studioWith((root) => writeGroupedDataset(root, 3, 8, 3));
    for (const groupBy of [
      { kind: 'folder' as const, level: -1 },
      { kind: 'pattern' as const, regex: '^(P\\d+)_' },
    ]) {
      const out = await h.curation.split({
        val: 0.2,
        test: 0.2,
        seed: 7,
        groupBy,
        keepPredefined: true,
        keepClusters: true,
      });
      assert.equal(out.groups, 24);
      assert.equal(out.counts.none, 0);
      assert.ok(out.counts.val > 0 && out.counts.test > 0, JSON.stringify(out.counts));
      for (const [g, splits] of splitsByGroup(studio.project!))
        assert.equal(splits.size, 1, `group ${g} straddles ${[...splits]}`);
    }
    const state = () =>
      JSON.stringify(studio.project!.db.prepare('SELECT id, split, group_key, fold FROM images ORDER BY id').all());
    const beforeFolds = state();
    const again = await h.curation.split({
      val: 0.2,
      test: 0.2,
      seed: 7,
      groupBy: { kind: 'folder', level: -1 },
      keepPredefined: false,
      keepClusters: true,
      folds: 3,
    });
    const withFolds = state();
    const folds = studio
      .project!.db.prepare("SELECT count(DISTINCT fold) AS n FROM images WHERE split != 'test'")
      .get() as { n: number };
    assert.equal(folds.n, 3);
    assert.equal(again.folds, 3);
    const m1 = await h.curation.manifest({ params: {} });
    const m2 = await h.curation.manifest({ params: {} });
    assert.deepEqual([m1.created, m2.created, m1.digest], [true, false, m2.digest]);
    // Groups and folds are part of the split's edit: undo puts back the previous split's, redo these.
    await h.labels.undo({});
    assert.equal(state(), beforeFolds);
    await h.labels.redo({});
    assert.equal(state(), withFolds);
    await h.labels.undo({});
    await h.labels.undo({});
    await h.labels.undo({});
    const none = studio
      .project!.db.prepare(
        'SELECT count(*) AS n FROM images WHERE split IS NOT NULL OR group_key IS NOT NULL OR fold IS NOT NULL',
      )
      .get() as { n: number };
    assert.equal(none.n, 0, 'undoing every split leaves images unassigned and ungrouped, as imported');
    studio.close();
  });

  test('a split keeps planted near-duplicate clusters together: Health then reports no leak; switched off, copies leak', async () => {
    const { studio, h, db } = await studioWith((root) => writeCopiesDataset(root, 3, 16, 12));
    const split = (keepClusters: boolean) =>
      h.curation.split({ val: 0.2, test: 0.2, seed: 5, keepPredefined: false, keepClusters });
    const loose = await split(false);
    assert.equal(loose.clusters, 0);
    const leakingLoose = (await h.curation.health({})).leaking;
    assert.ok(leakingLoose > 0, 'with clusters ignored, seed 5 scatters some of the 12 planted copies');
    const out = await split(true);
    assert.ok(out.clusters >= 12, `${out.clusters} clusters kept together for 12 planted copies`);
    const health = await h.curation.health({});
    assert.equal(health.leaking, 0);
    assert.ok(!health.findings.some((f) => f.kind === 'leakage'));
    // Stratified as far as pairs allow: each class within two images of its share in every split.
    const perClass = db
      .prepare('SELECT class_id AS c, split, count(*) AS n FROM images GROUP BY class_id, split')
      .all() as { c: number; split: string; n: number }[];
    for (const c of new Set(perClass.map((r) => r.c))) {
      const of = (sp: string) => perClass.find((r) => r.c === c && r.split === sp)?.n ?? 0;
      const total = of('train') + of('val') + of('test');
      for (const [sp, f] of [
        ['train', 0.6],
        ['val', 0.2],
        ['test', 0.2],
      ] as const) {
        assert.ok(Math.abs(of(sp) - total * f) <= 2, `class ${c}: ${of(sp)} in ${sp} of ${total}`);
      }
    }
    const edits = (await h.labels.history({ limit: 1 })).edits;
    assert.match(edits[0].description, /near-duplicate clusters? kept together/);
    await h.labels.undo({});
    assert.equal((await h.curation.health({})).leaking, leakingLoose, 'undo brings back the loose split');
    studio.close();
  });

  test('excluded images leave splits, leakage, counts, manifests, runs and CSV exports; nothing is deleted; undo brings them back', async () => {
    const { studio, h, db } = await studioWith((root) => writeCopiesDataset(root, 3, 16, 12));
    await h.curation.split({ val: 0.2, test: 0.2, seed: 5, keepPredefined: false, keepClusters: false });
    const dupes = await h.curation.duplicates({});
    const leaking = dupes.clusters.filter((c) => c.leaking);
    assert.ok(leaking.length > 0);
    // Keep the first member of every cluster, exclude the rest: what Health's "Exclude copies" does.
    const copies = dupes.clusters.flatMap((c) => c.members.slice(1).map((m) => m.id));
    const stats = await h.dataset.stats({});
    const out = await h.labels.setExcluded({ imageIds: copies, excluded: true });
    assert.notEqual(out.editId, null);
    assert.match(
      (await h.labels.history({ limit: 1 })).edits[0].description,
      new RegExp(`Excluded ${copies.length} images from training`),
    );
    const after = await h.curation.duplicates({});
    assert.deepEqual([after.leaking, after.clusters.length], [0, 0], 'every cluster is down to one image in training');
    assert.equal((await h.curation.health({})).leaking, 0);
    const now = await h.dataset.stats({});
    assert.equal(now.excluded, copies.length);
    assert.equal(
      now.perClass.reduce((s, c) => s + c.count, 0),
      stats.perClass.reduce((s, c) => s + c.count, 0) - copies.length,
    );
    assert.equal(
      Object.values(now.perSplit).reduce((a, b) => a + b, 0),
      stats.total - copies.length,
    );
    const page = await h.dataset.images({ filter: {}, offset: 0, limit: 2000 });
    assert.equal(page.items.filter((i) => i.excluded).length, copies.length, 'the grid still shows them, flagged');
    const hashes = new Set(page.items.filter((i) => i.excluded).map((i) => i.hash));
    // A new split leaves excluded images where they were; the manifest and a run's plan leave them out.
    const before = db.prepare('SELECT id, split FROM images WHERE excluded = 1 ORDER BY id').all();
    await h.curation.split({ val: 0.2, test: 0.2, seed: 9, keepPredefined: false, keepClusters: true });
    assert.deepEqual(db.prepare('SELECT id, split FROM images WHERE excluded = 1 ORDER BY id').all(), before);
    await h.curation.manifest({ params: {} });
    const body = JSON.parse(
      (db.prepare('SELECT body FROM manifests ORDER BY id DESC LIMIT 1').get() as { body: string }).body,
    ) as { splits: Record<string, string[]> };
    assert.ok(
      Object.values(body.splits)
        .flat()
        .every((x) => !hashes.has(x)),
    );
    assert.equal(Object.values(body.splits).flat().length, stats.total - copies.length);
    const { planFromStore } = await import('../../../src-main/services/runs/run-data');
    const plan = planFromStore(db, 1);
    assert.ok(
      JSON.stringify(plan).length > 0 && ![...hashes].some((x) => JSON.stringify(plan).includes(x)),
      'no run sees an excluded image',
    );
    const file = join(temp('csv'), 'labels.csv');
    assert.equal((await h.curation.exportCsv({ file })).rows, stats.total - copies.length);
    const paths = (
      db.prepare('SELECT path FROM image_paths p JOIN images i ON i.id = p.image_id WHERE i.excluded = 1').all() as {
        path: string;
      }[]
    ).map((r) => r.path);
    assert.ok(paths.length === copies.length && paths.every((p) => existsSync(p)), 'exclusion never deletes a file');
    await h.labels.undo({});
    await h.labels.undo({});
    assert.equal((await h.dataset.stats({})).excluded, 0);
    assert.equal((await h.curation.duplicates({})).leaking, dupes.leaking);
    studio.close();
  });

  test('a brightened copy across train and test is one leaking cluster; the fix keeps it in one split; undo restores', async () => {
    let planted = { source: '', copy: '' };
    const { studio, h, db } = await studioWith(async (root) => (planted = await writeLeakyDataset(root)));
    const progress: unknown[] = [];
    studio.hub.subscribe((m) => m.kind === 'event' && m.name === 'curation.progress' && progress.push(m.payload));
    const dupes = await h.curation.duplicates({});
    // The search says when it is done, so the Health page can drop its progress line.
    assert.deepEqual(progress.at(-1), { stage: 'registering', done: 1000, total: 1000, running: false });
    // Only the planted pair is asserted: look-alike Fashion-MNIST trousers may cluster too.
    const leaking = dupes.clusters.filter((c) => c.members.some((m) => m.path === planted.copy));
    assert.equal(leaking.length, 1, JSON.stringify(dupes.clusters));
    assert.deepEqual(
      leaking[0].members.map((m) => m.path),
      [planted.source, planted.copy],
    );
    assert.deepEqual([leaking[0].splits, leaking[0].leaking], [['train', 'test'], true]);
    const health = await h.curation.health({});
    assert.equal(health.leaking, dupes.leaking);
    assert.ok(health.findings.some((f) => f.kind === 'leakage' && f.severity === 'problem'));
    const fix = await h.curation.fixLeakage({ clusterId: leaking[0].id });
    assert.equal(fix.moved, 1);
    assert.match(fix.description, /1 near-duplicate cluster.*moved 1 image/);
    const splitOf = (id: number) =>
      (db.prepare('SELECT split FROM images WHERE id = ?').get(id) as { split: string }).split;
    assert.deepEqual(new Set(leaking[0].members.map((m) => splitOf(m.id))).size, 1);
    assert.equal((await h.curation.duplicates({})).leaking, dupes.leaking - 1);
    await h.labels.undo({});
    assert.deepEqual(
      leaking[0].members.map((m) => splitOf(m.id)),
      leaking[0].members.map((m) => m.split),
    );
    const all = await h.curation.fixLeakage({ clusterId: 'all' });
    assert.equal(all.clusters, dupes.leaking);
    assert.equal((await h.curation.duplicates({})).leaking, 0);
    studio.close();
  });

  test('CSV export and import round-trip; unknown paths and bad values reject the whole file with line numbers', async () => {
    const { studio, h, db } = await studioWith(writeLeakyDataset);
    const file = join(temp('csv'), 'labels.csv');
    const out = await h.curation.exportCsv({ file });
    assert.equal(out.rows, 25);
    const text = readFileSync(file, 'utf8');
    assert.match(text.split('\n')[0], /^path,label,split,group/);
    const state = () => db.prepare('SELECT id, class_id, split FROM images ORDER BY id').all();
    const before = state();
    // Swap every split, import, then import the original back: the round trip restores it.
    const swapped = text
      .replace(/,train,/g, ',TMP,')
      .replace(/,test,/g, ',train,')
      .replace(/,TMP,/g, ',test,');
    const swappedFile = join(temp('csv'), 'swapped.csv');
    writeFileSync(swappedFile, swapped);
    const imported = await h.curation.importCsv({ file: swappedFile });
    assert.equal(imported.changed, 25);
    assert.notDeepEqual(state(), before);
    await h.curation.importCsv({ file });
    assert.deepEqual(state(), before);
    const bad = join(temp('csv'), 'bad.csv');
    const lines = text.trim().split('\n');
    writeFileSync(bad, [lines[0], lines[1].replace(/,(train|test),/, ',holdout,'), ...lines.slice(2)].join('\n'));
    await assert.rejects(
      async () => h.curation.importCsv({ file: bad }),
      /line 2, column split: 'holdout'.*Nothing was imported/s,
    );
    writeFileSync(
      bad,
      [lines[0], ...lines.slice(1, 3), '/nowhere/x.png,,train,', 'x.png,Sandal,,', ...lines.slice(3)].join('\n'),
    );
    await assert.rejects(
      async () => h.curation.importCsv({ file: bad }),
      /line 4: no image.*nowhere.*line 5: no image/s,
    );
    assert.deepEqual(state(), before, 'nothing half-applied');
    studio.close();
  });

  test('health reports class balance, exact copies and the import problems count', async () => {
    const { studio, h } = await studioWith(async (root) => {
      await writeGroupedDataset(root, 2, 2, 2);
      writeFileSync(join(root, 'broken.png'), 'not a picture');
      copyFileSync(join(root, 'T-shirt_top', 'P000', 'P000_0.png'), join(root, 'T-shirt_top', 'P000', 'copy.png'));
    });
    const dupes = await h.curation.duplicates({});
    assert.deepEqual(
      dupes.exact.map((e) => e.paths.length),
      [2],
    );
    const health = await h.curation.health({});
    assert.deepEqual(
      health.classes.map((c) => c.count),
      [4, 4],
    );
    assert.equal(health.ratio, 1);
    assert.equal(health.problems, 1);
    assert.equal(health.exactDuplicates, 1);
    assert.ok(health.findings.some((f) => f.kind === 'exact-duplicates'));
    assert.ok(health.findings.some((f) => f.kind === 'import-problems'));
    studio.close();
  });
});
