// The phase-1 feature cache while it builds, through the run service and its training
// process: kill -9 of the process mid-build and a resume computes only what was missing
// (every value cached before the kill keeps its file untouched), and cancelling mid-build
// ends the run `cancelled` within 2 s, leaving only whole feature files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RunService } from '../../src-main/services/runs/run-service';
import { getRunRow } from '../../src-main/store/repos/runs';
import { RunConfig } from '../../src-shared/engine-config';
import type { RunsProgress, RunStatusEvent } from '../../src-shared/runs';
import { makeProject } from '../integration/runs/helpers';
import type { Made } from '../integration/runs/helpers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = RunConfig.parse({
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: 96,
  seed: 2,
  phase1: { epochs: 1, batchSize: 64, optimizer: { kind: 'adam', lr: 1e-3 } },
});
/** nsfwjs' pooled features: 1280 float32 values per image. */
const VALUE_BYTES = 1280 * 4;
const TRAIN = 240;
const ALL = 300;

async function project(): Promise<Made> {
  const made = await makeProject([
    { className: 'rows', split: 'train', count: TRAIN / 2 },
    { className: 'cols', split: 'train', count: TRAIN / 2 },
    { className: 'rows', split: 'val', count: 15 },
    { className: 'cols', split: 'val', count: 15 },
    { className: 'rows', split: 'test', count: 15 },
    { className: 'cols', split: 'test', count: 15 },
  ]);
  dirs.push(made.dir);
  return made;
}

/** Every file under the feature cache, with its size and modification time. */
function cacheFiles(made: Made): Map<string, { size: number; mtimeNs: bigint }> {
  const out = new Map<string, { size: number; mtimeNs: bigint }>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'key.json') {
        const st = statSync(p, { bigint: true });
        out.set(p, { size: Number(st.size), mtimeNs: st.mtimeNs });
      }
    }
  };
  walk(join(made.project.dir, 'cache', 'features'));
  return out;
}

const features = (list: RunsProgress[]) =>
  list.filter((p): p is Extract<RunsProgress, { kind: 'features' }> => p.kind === 'features');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test(
  'kill -9 mid-build, then resume: nothing cached before the kill is computed again',
  { timeout: 120_000 },
  async () => {
    const made = await project();
    let onProgress = (_p: RunsProgress) => {};
    const seen: RunsProgress[] = [];
    const service = new RunService(
      made.project,
      { progress: (p) => (seen.push(p), onProgress(p)), epoch: () => {}, status: () => {} },
      { backend: 'wasm' },
    );
    const runId = service.start({ config }).runIds[0]!;
    let killedAt = -1;
    onProgress = (p) => {
      if (killedAt >= 0 || p.kind !== 'features' || p.split !== 'train' || p.done < 0.4 * p.total) return;
      killedAt = p.done;
      process.kill(getRunRow(made.project.db, runId)!.pid!, 'SIGKILL');
    };
    await service.idle();
    assert.ok(killedAt > 0, 'the build reached 40 % of the training split');
    assert.equal(service.get({ runId }).status, 'interrupted', service.get({ runId }).message ?? '');
    const before = cacheFiles(made);
    const whole = [...before].filter(([p]) => p.endsWith('.f32'));
    // A write the kill cut short is only ever a .tmp file beside the value it was to become.
    assert.ok(
      [...before.keys()].every((p) => p.endsWith('.f32') || p.endsWith('.f32.tmp')),
      [...before.keys()].join(', '),
    );
    assert.ok(
      whole.every(([, f]) => f.size === VALUE_BYTES),
      'every value file is whole',
    );
    assert.ok(
      whole.length >= killedAt && whole.length < TRAIN,
      `${whole.length} values cached at the kill, ${killedAt} reported`,
    );

    seen.length = 0;
    onProgress = () => {};
    service.resume({ runId });
    await service.idle();
    assert.equal(service.get({ runId }).status, 'done', service.get({ runId }).message ?? '');
    const train = features(seen).filter((p) => p.split === 'train');
    assert.equal(train[0]!.fromCache, whole.length, 'the resumed build finds every value cached before the kill');
    assert.equal(train.at(-1)!.done, TRAIN);
    const afterKill = cacheFiles(made);
    const rewritten = whole.filter(([p, f]) => afterKill.get(p)?.mtimeNs !== f.mtimeNs).map(([p]) => p);
    assert.deepEqual(rewritten, [], 'values cached before the kill were computed again');
    assert.equal([...afterKill.keys()].filter((p) => p.endsWith('.f32')).length, ALL);
  },
);

test(
  'cancel mid-build ends the run cancelled within 2 s, with only whole feature files',
  { timeout: 120_000 },
  async () => {
    const made = await project();
    let cancelledAt = 0;
    let endedAt = 0;
    let ended: RunStatusEvent | null = null;
    const service = new RunService(
      made.project,
      {
        progress: (p) => {
          if (cancelledAt || p.kind !== 'features' || p.done === p.fromCache) return;
          cancelledAt = performance.now();
          service.cancel({ runId: p.runId });
        },
        epoch: () => {},
        status: (s) => {
          if (s.status !== 'running' && s.status !== 'queued') [ended, endedAt] = [s, performance.now()];
        },
      },
      { backend: 'wasm' },
    );
    const runId = service.start({ config }).runIds[0]!;
    const pid = () => getRunRow(made.project.db, runId)!.pid!;
    await service.idle();
    assert.ok(cancelledAt > 0, 'the build started computing');
    assert.equal(ended!.status, 'cancelled', ended!.message ?? '');
    assert.equal(service.get({ runId }).status, 'cancelled');
    const ms = endedAt - cancelledAt;
    assert.ok(ms < 2000, `cancelled ${ms.toFixed(0)} ms after the request`);
    assert.ok(!isAlive(pid()), 'the training process is gone');
    const files = [...cacheFiles(made)];
    assert.ok(files.length > 0 && files.length < ALL, `${files.length} values cached`);
    assert.deepEqual(
      files.filter(([p, f]) => !p.endsWith('.f32') || f.size !== VALUE_BYTES).map(([p]) => p),
      [],
      'a cancelled build leaves no partial file',
    );
  },
);
