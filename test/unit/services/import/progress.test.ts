import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImportProgress } from '../../../../src-shared/schemas';
import { ProgressReporter } from '../../../../src-main/services/import/progress';

test('progress is throttled to one event per 100 ms, with rate and ETA from the injected clock', () => {
  let now = 0;
  const events: ImportProgress[] = [];
  const reporter = new ProgressReporter(
    7,
    '/data',
    (p) => events.push(ImportProgress.parse(p)),
    () => now,
  );
  reporter.report(true);
  reporter.found(100);
  reporter.startImporting(100);
  for (let i = 0; i < 50; i++) {
    now += 10; // 50 files in 500 ms: 100 files/s
    reporter.count(i % 10 === 0 ? 'problems' : 'imported');
  }
  assert.ok(events.length <= 2 + 5 + 1, `${events.length} events`);
  const last = events[events.length - 1];
  assert.equal(last.phase, 'importing');
  reporter.finish('done');
  const final = events[events.length - 1];
  assert.deepEqual(
    { ...final },
    {
      importId: 7,
      root: '/data',
      status: 'done',
      phase: 'finished',
      total: 100,
      done: 50,
      imported: 45,
      skipped: 0,
      problems: 5,
      imagesPerSecond: 100,
      etaSeconds: 0,
    },
  );
  const mid = events.find((e) => e.phase === 'importing' && e.done === 40);
  assert.equal(mid?.etaSeconds, 1, '60 left at 100/s');
  reporter.count('imported');
  assert.equal(events[events.length - 1], final, 'nothing after the final event');
});
