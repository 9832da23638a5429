// `studio eval` says what trained each phase: the rung, and phase 2's shards or why it had one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEval } from '../../../src-main/cli/commands/eval';
import { BUSY, doneRun } from '../../helpers/run-detail';

const phaseLines = (text: string) => text.split('\n').filter((l) => l.startsWith('Phase '));

test('studio eval names the rung of each phase, phase 2 in 2 shards', () => {
  assert.deepEqual(phaseLines(formatEval(doneRun({ count: 2 }))), [
    'Phase 1 trained on wasm',
    'Phase 2 trained on wasm, 2 shards',
  ]);
});

test('studio eval says why phase 2 was not sharded', () => {
  assert.deepEqual(phaseLines(formatEval(doneRun({ count: 1, note: BUSY }))), [
    'Phase 1 trained on wasm',
    `Phase 2 trained on wasm, not sharded: ${BUSY}`,
  ]);
  // A run from before shards were recorded says only the rung.
  assert.deepEqual(phaseLines(formatEval(doneRun(undefined))), ['Phase 1 trained on wasm', 'Phase 2 trained on wasm']);
});
