// The contract fuzzer (issue 19): every method of the contract through the real server's
// WebSocket and through the in-memory door, with random and adversarial envelopes and inputs
// (deep nesting, huge arrays, `__proto__` and `constructor` keys, wrong types, NaN, long strings,
// lone surrogates, RTL overrides, NUL). Each message must get one reply, a result or a known
// {code, message} and never 'internal'; afterwards the server answers a call and the project's
// database passes integrity_check. FUZZ_CASES (default 10,000, split over the two doors) and
// FUZZ_SEED replay or lengthen it: `npm run fuzz` runs 1,000,000.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { fuzzCases, METHODS, NO_VALID_INPUT, replyProblem, type FuzzCase, type FuzzPlace } from './helpers/fuzz-calls';
import { memoryDoor, socketDoor, type FuzzDoor } from './helpers/fuzz-doors';
import { render } from './helpers/fuzz-values';
import { call, openWs, startTestServer, type TestServer } from './helpers/server';

const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 19);

let s: TestServer;
let place: FuzzPlace;

before(async () => {
  s = await startTestServer({ images: 12 });
  place = { projectDir: join(s.dir, 'project'), imagesDir: s.imagesDir, dir: s.dir };
  // A third class, so that the seeds' merge, rename and delete of class 3 meet one at first.
  await s.studio.handlers().classes.create({ name: 'third' });
});

after(async () => {
  await s?.close();
});

interface Tally {
  cases: number;
  unsendable: number;
  refused: number;
  errors: Map<string, number>;
  /** Methods that answered ok at least once: valid input reached their handler. */
  ran: Set<string>;
  called: Set<string>;
  /** Milliseconds spent per method, to see where the time goes. */
  spent: Map<string, number>;
  /** CPU seconds of this process (server and client both), which a loaded machine does not inflate as it does wall time. */
  cpu: number;
}

async function fuzz(door: FuzzDoor, cases: number, seed: number): Promise<Tally> {
  const tally: Tally = {
    cases: 0,
    unsendable: 0,
    refused: 0,
    errors: new Map(),
    ran: new Set(),
    called: new Set(),
    spent: new Map(),
    cpu: 0,
  };
  const cpu = process.cpuUsage();
  await fc.assert(
    fc.asyncProperty(fuzzCases(place), async (c) => {
      tally.cases++;
      tally.called.add(c.target);
      const started = performance.now();
      const exchanged = await door.exchange(c.message);
      tally.spent.set(c.target, (tally.spent.get(c.target) ?? 0) + performance.now() - started);
      if (exchanged === 'unsendable') return void tally.unsendable++;
      const problem = replyProblem(c, exchanged.reply, exchanged.textDepthRefused);
      assert.equal(
        problem,
        null,
        `${door.name}, ${c.target}: ${problem}; sent ${clip(render(c.message))}; reply ${clip(JSON.stringify(exchanged.reply) ?? '')}`,
      );
      const r = exchanged.reply as { kind: string; ok?: boolean; error?: { code: string } };
      if (r.kind === 'refused') tally.refused++;
      else if (r.ok) tally.ran.add(c.target);
      else tally.errors.set(r.error!.code, (tally.errors.get(r.error!.code) ?? 0) + 1);
    }),
    { numRuns: cases, seed, endOnFailure: true, reporter: shortReport },
  );
  const used = process.cpuUsage(cpu);
  tally.cpu = (used.user + used.system) / 1e6;
  return tally;
}

const clip = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}... (${text.length} characters)` : text);

/** fast-check's own report prints the whole counterexample, which may be megabytes: this one says where to replay from. */
function shortReport(run: fc.RunDetails<[FuzzCase]>): void {
  if (!run.failed) return;
  const why = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
  throw new Error(
    `failed after ${run.numRuns} cases (replay: FUZZ_SEED=${run.seed}, path ${run.counterexamplePath}): ${clip(why)}`,
  );
}

async function stillServing(t: TestContext, tally: Tally, door: string): Promise<void> {
  await s.studio.idle();
  const ws = await openWs(s.server.port, { token: s.server.token });
  const reply = await call(ws, 'project', 'current');
  ws.close();
  assert.ok(reply.kind === 'result' && reply.ok, 'the server answers project.current');
  assert.equal((reply.value as { path: string }).path, place.projectDir);
  const db = new Database(join(place.projectDir, 'studio.db'), { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  const errors = [...tally.errors].map(([code, n]) => `${code} ${n}`).join(', ');
  t.diagnostic(
    `${door}: ${tally.cases} cases over ${tally.called.size - 1} of ${METHODS.length} methods (+ non-calls); ${tally.unsendable} unsendable, ${tally.refused} refused; errors: ${errors}`,
  );
  const slowest = [...tally.spent]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([m, ms]) => `${m} ${(ms / 1000).toFixed(1)} s`);
  t.diagnostic(`${door}: ${tally.cpu.toFixed(1)} s of CPU, ${((tally.cpu * 1000) / tally.cases).toFixed(2)} ms a case`);
  t.diagnostic(`${door}: most time in ${slowest.join(', ')}`);
  t.diagnostic(
    `${door}: valid input reached ${tally.ran.size} methods; never valid by design: ${Object.keys(NO_VALID_INPUT).length}`,
  );
}

test(`${Math.ceil(CASES / 2)} fuzzed calls over the WebSocket: each answered, none internal; the server and its database are fine after`, async (t) => {
  const door = await socketDoor(s.server.port, s.server.token);
  try {
    const tally = await fuzz(door, Math.ceil(CASES / 2), SEED);
    await stillServing(t, tally, 'WebSocket');
    assert.equal(tally.called.size - 1, METHODS.length, 'every method was called');
  } finally {
    door.close();
  }
});

test(`${Math.floor(CASES / 2)} fuzzed calls through the in-memory door: the same`, async (t) => {
  const logs: string[] = [];
  const door = memoryDoor(s.studio, (l) => logs.push(l));
  try {
    const tally = await fuzz(door, Math.floor(CASES / 2), SEED + 1);
    await stillServing(t, tally, 'in-memory');
    assert.equal(tally.called.size - 1, METHODS.length, 'every method was called');
  } finally {
    door.close();
  }
});
