// The run page's header (RunHeader.svelte), rendered as the server would: it lists what
// trained each phase, phase 2's shards, or why phase 2 had one.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { BUSY, doneRun } from '../../../helpers/run-detail';

register('./svelte-ssr.mjs', import.meta.url);
const { render } = await import('svelte/server');
const { default: RunHeader } = await import('../../../../src-renderer/components/runs/RunHeader.svelte');

function frozenWork(run: ReturnType<typeof doneRun>): string[] {
  const noop = () => {};
  const { body } = render(RunHeader, {
    props: { run, epochs: [], progress: null, busy: false, oncancel: noop, onresume: noop, onback: noop },
  });
  const list = /<ul[^>]*data-testid="frozen-work"[^>]*>([\s\S]*?)<\/ul>/.exec(body);
  assert.ok(list, `the header lists the run's work: ${body.slice(0, 400)}`);
  return [...list[1]!.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
}

test('the run page says phase 2 trained in 2 shards on the CPU rung', () => {
  assert.deepEqual(frozenWork(doneRun({ count: 2 })), ['Phase 1 trained on wasm', 'Phase 2 trained on wasm, 2 shards']);
});

test('the run page says why phase 2 was not sharded', () => {
  assert.deepEqual(frozenWork(doneRun({ count: 1, note: BUSY })), [
    'Phase 1 trained on wasm',
    `Phase 2 trained on wasm, not sharded: ${BUSY}`,
  ]);
});
