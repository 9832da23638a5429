// `studio train`, `runs`, `eval`, `export` and `predict`, run as a user runs them, on a
// tiny project; predict's CSV agrees with the engine's own test evaluation; Ctrl-C cancels a
// run; `bakeoff` trains and tabulates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProject } from '../../../src-main/services/project/project';
import { makeProject, rowsAndCols, tempDir } from './helpers';
import type { Made } from './helpers';
import { studioArgv } from '../../fixtures/children';
import { peekRows, sleep } from '../../reliability/helpers/process';

const repo = join(import.meta.dirname, '..', '..', '..');
const base = tempDir('runs-cli');
let made: Made;
after(() => rmSync(base, { recursive: true, force: true }));

function studio(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, studioArgv(...args), { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  made = await makeProject(rowsAndCols(6, 2, 3), base);
  made.project.close();
});

test('train prints a summary of the run; runs lists it; eval shows its test evaluation', () => {
  const dir = made.project.dir;
  const t = studio('train', dir, '--epochs', '3', '--input-size', '96', '--seed', '5', '--name', 'cli run');
  assert.equal(t.status, 0, t.stderr + t.stdout);
  assert.match(t.stdout, /^Run 1 "cli run": done in [\d.]+ s$/m);
  assert.match(
    t.stdout,
    /kept p1 e[123]: val acc [\d.]+ % \[[\d.]+-[\d.]+\], macro F1 [\d.]+ %, train-val gap [-+][\d.]+ points; test acc [\d.]+ % \[[\d.]+-[\d.]+\], test macro F1 [\d.]+ %; 3 epochs/,
  );
  // 4 validation and 6 test images: the training doctor at least warns that accuracy here is noise.
  assert.match(t.stdout, /Training doctor:\n\s+\[(problem|warning)\] /);
  assert.match(t.stdout, /\[warning\] Noise floor: accuracy here is known to about ±[\d.]+ points/);
  const r = studio('runs', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /id\s+name\s+status\s+backbone\s+px\s+kept\s+val acc\s+val F1\s+test acc\s+time\s+doctor$/m);
  assert.match(r.stdout, /^\s+1\s+cli run\s.*\s\d+ (problems?|warnings?)$/m);
  assert.match(r.stdout, /^\s+1\s+cli run\s+done\s+nsfwjs_mobilenet_v2\s+96\s+p1 e[123]\s/m);
  for (const line of r.stdout.trimEnd().split('\n')) assert.ok(line.length <= 100, `${line.length} columns: ${line}`);
  for (const out of [t, r])
    assert.doesNotMatch(out.stdout + out.stderr, /Hi, looks like you are running TensorFlow\.js/);
  const e = studio('eval', dir, '1');
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /Test split: 6 images, accuracy [\d.]+ %, macro F1/);
  assert.match(
    e.stdout,
    /^Wall time [\d.]+ s: cache build [\d.]+ s, phase 1 [\d.]+ s, evaluation [\d.]+ s, start-up [\d.]+ s$/m,
  );
  assert.doesNotMatch(e.stdout + e.stderr, /Hi, looks like you are running TensorFlow\.js/);
  assert.match(
    e.stdout,
    /^Pooled features: computed on (onnxruntime-cpu|tfjs-wasm), \d+ threads?.*; [\d.]+ kB, held in memory$/m,
  );
  assert.match(e.stdout, /Training doctor:/);
  assert.match(e.stdout, /^\s+cols\s+[\d.]+ %\s+[\d.]+ %\s+[\d.]+ %\s+3$/m);
  assert.match(e.stdout, /Confusion matrix \(rows: true class, columns: predicted\)/);
});

test('export then predict on the test images and a broken file: the CSV matches the stored test predictions', () => {
  const dir = made.project.dir;
  const out = join(base, 'exported');
  const x = studio('export', dir, '1', '--out', out);
  assert.equal(x.status, 0, x.stderr + x.stdout);
  assert.match(x.stdout, /nsfwjs_mobilenet_v2 at 96 px, 2 classes: cols, rows/);
  for (const f of ['model.json', 'weights.bin', 'manifest.json']) assert.ok(existsSync(join(out, f)), f);
  const folder = join(made.imagesDir, 'test');
  writeFileSync(join(folder, 'rows', 'broken.png'), 'not a png');
  const csv = join(base, 'predictions.csv');
  const p = studio('predict', out, folder, '--out', csv);
  assert.equal(p.status, 0, p.stderr + p.stdout);
  assert.match(p.stdout, /Predicted 6 of 7 files with nsfwjs_mobilenet_v2 \(\w+\) into .*predictions\.csv; 1 problems/);
  assert.match(p.stdout, /broken\.png\n\s+cannot decode image/);
  const [head, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(head, 'path,predicted,confidence,cols,rows');
  const project = openProject(made.project.dir, { create: false });
  const stored = project.db
    .prepare(
      'SELECT p.path, r.predicted, r.probs FROM run_predictions r JOIN image_paths p ON p.image_id = r.image_id WHERE r.run_id = 1',
    )
    .all() as { path: string; predicted: number; probs: string }[];
  project.close();
  assert.equal(lines.length, stored.length);
  for (const line of lines) {
    const [path, predicted, , ...probs] = line.split(',');
    const s = stored.find((r) => r.path === path)!;
    assert.equal(predicted, ['cols', 'rows'][s.predicted]);
    (JSON.parse(s.probs) as number[]).forEach((v, k) =>
      assert.ok(Math.abs(v - Number(probs[k])) < 1e-4, `${path}: ${v} vs ${probs[k]}`),
    );
  }
});

test('errors name the project, run or field and say what to do', () => {
  const notProject = studio('train', base);
  assert.equal(notProject.status, 1);
  assert.match(notProject.stderr, /is not a Finetune Studio project/);
  const noRun = studio('eval', made.project.dir, '99');
  assert.match(noRun.stderr, /^studio: There is no run 99 in this project; list the runs to see their ids\./);
  const badFlag = studio('train', made.project.dir, '--unfreeze', '40');
  assert.equal(badFlag.status, 1);
  assert.match(
    badFlag.stderr,
    /^studio: config\.phase2\.unfreezeBlocks: nsfwjs_mobilenet_v2 has 17 named blocks; unfreeze 1 to 16 \(got 40\)/,
  );
});

test('Ctrl-C during `studio train` cancels the run: it is recorded cancelled and the command exits 130', async () => {
  const dir = made.project.dir;
  const child = spawn(
    process.execPath,
    studioArgv('train', dir, '--epochs', '200', '--input-size', '96', '--name', 'interrupted'),
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const run = () =>
    peekRows<{ status: string; epochs: number }>(
      dir,
      "SELECT r.status, (SELECT count(*) FROM run_epochs e WHERE e.run_id = r.id) AS epochs FROM runs r WHERE r.name = 'interrupted'",
    )[0];
  // Once it trains (an epoch stored), Ctrl-C.
  const t0 = Date.now();
  while (!(run()?.status === 'running' && run()!.epochs > 0)) {
    assert.ok(Date.now() - t0 < 60_000, `the run never started training: ${run()?.status}`);
    await sleep(100);
  }
  child.kill('SIGINT');
  assert.equal(await exited, 130, stdout);
  assert.equal(run()?.status, 'cancelled');
  assert.match(stdout, /^Run \d+ "interrupted": cancelled/m);
});

test('bakeoff trains one run per size on one plan and prints the table; --list and --show read it back', () => {
  const dir = made.project.dir;
  const b = studio(
    'bakeoff',
    dir,
    '--backbones',
    'nsfwjs_mobilenet_v2',
    '--sizes',
    '96,128',
    '--epochs',
    '1',
    '--name',
    'sizes',
  );
  assert.equal(b.status, 0, b.stderr + b.stdout);
  assert.match(b.stdout, /^Bake-off (\d+) "sizes": 2 of 2 runs done; seed \d+, manifest [0-9a-f]{12}/m);
  assert.match(b.stdout, /\snsfwjs_mobilenet_v2\s+96\s+done\s/);
  assert.match(b.stdout, /\snsfwjs_mobilenet_v2\s+128\s+done\s/);
  const id = /^Bake-off (\d+)/m.exec(b.stdout)![1]!;
  const list = studio('bakeoff', dir, '--list');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^\\s*${id}\\s+sizes\\s+\\d+ \\d+\\s*$`, 'm'));
  const show = studio('bakeoff', dir, '--show', id, '--json');
  assert.equal(show.status, 0, show.stderr);
  assert.deepEqual(
    (JSON.parse(show.stdout) as { rows: { inputSize: number }[] }).rows.map((r) => r.inputSize),
    [96, 128],
  );
});
