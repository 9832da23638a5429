// The System page through the real UI and server: `system.doctor` over the contract, each
// rung of both ladders shown with its state and reason, the one in use marked, and the
// machine's devices and model cache, the same report `studio doctor` prints.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SystemCheckReport } from '../../src-shared/system';
import { e2eSetup } from './harness';

describe('System page', () => {
  const s = e2eSetup({ name: 'system', modelCache: true });

  it('shows every rung of both ladders with the state and reason the contract reports', async () => {
    await s.page.click('[data-testid=nav-system]');
    await s.page.waitForSelector('[data-testid=system-summary]', { timeout: 60_000 });
    const report = SystemCheckReport.parse(await s.h().system.doctor({}));
    for (const [ladder, rungs] of [
      ['training', report.training],
      ['inference', report.inference],
    ] as const) {
      for (const r of rungs) {
        const row = s.page.locator(`[data-testid=rung-${ladder}-${r.id}]`);
        assert.equal(await row.getAttribute('data-state'), r.state, `${ladder} ${r.id}`);
        assert.equal(await row.getAttribute('data-chosen'), String(r.chosen), `${ladder} ${r.id}`);
        if (r.reason) assert.equal(await row.locator('[data-testid=rung-reason]').textContent(), r.reason);
      }
    }
    assert.equal(await s.page.getAttribute('[data-testid=rung-inference-onnxruntime-cpu]', 'data-state'), 'ok');
    const chosen = report.inference.find((r) => r.chosen)!.id;
    assert.match(
      (await s.page.textContent('[data-testid=system-summary]')) ?? '',
      new RegExp(`frozen inference on ${chosen}\\.`),
    );
  });

  it("shows the devices, the CUDA stacks and the studio's own model cache", async () => {
    const gpus = await s.page.locator('[data-testid=gpu]').count();
    if (gpus === 0) assert.match((await s.page.textContent('[data-testid=gpu-note]')) ?? '', /^no NVIDIA GPU/);
    assert.match((await s.page.textContent('[data-testid=cpu]')) ?? '', /^CPU: .*\d+ cores/);
    assert.equal(await s.page.locator('[data-testid=stack-tfjs-node-gpu]').count(), 1);
    assert.equal(await s.page.locator('[data-testid=stack-onnxruntime-cuda]').count(), 1);
    assert.equal(await s.page.textContent('[data-testid=model-cache-dir]'), join(s.tmp, 'models'));
    await s.page.click('[data-testid=system-refresh]');
    await s.page.waitForSelector('[data-testid=system-refresh]:not([disabled])', { timeout: 60_000 });
    assert.deepEqual(s.errors, []);
  });
});
