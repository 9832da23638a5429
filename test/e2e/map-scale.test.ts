// The embedding map at 200,000 points, against the fake studio (a real projection of that
// many would take minutes): every point arrives in pages, and panning is measured frame by
// frame in Chromium, as the grid's frame budget is. The longest frame is printed, and must be
// under 50 ms where the machine is not overloaded.
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { describe, it } from 'node:test';
import { fakeE2eSetup } from './fake-studio';

const COUNT = 200_000;

describe('embedding map at 200,000 points', () => {
  const s = fakeE2eSetup(COUNT);

  it('draws every point, coloured by label', async () => {
    await s.page.click('[data-testid=map-toggle]');
    await s.page.waitForSelector(`[data-testid=map-canvas][data-points="${COUNT}"][data-coloured=true]`, {
      timeout: 60_000,
    });
  });

  it('pans 200,000 points with every frame under 50 ms', async () => {
    await s.page.click('[data-testid=map-tool-pan]');
    const box = (await s.page.locator('[data-testid=map-canvas]').boundingBox())!;
    const { frames, draws } = await s.page.evaluate(
      async ({ x, y }) => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=map-canvas]')!;
        // No named helper functions in here: tsx would wrap them in a __name the page lacks.
        const init = { pointerId: 1, bubbles: true };
        canvas.dispatchEvent(new PointerEvent('pointerdown', { ...init, clientX: x, clientY: y }));
        const frames: number[] = [];
        const draws: number[] = [];
        await new Promise((ok) => requestAnimationFrame(ok));
        let last = performance.now();
        for (let i = 1; i <= 90; i++) {
          canvas.dispatchEvent(new PointerEvent('pointermove', { ...init, clientX: x + i * 4, clientY: y + i }));
          await new Promise((ok) => requestAnimationFrame(ok));
          const now = performance.now();
          frames.push(now - last);
          draws.push(Number(canvas.dataset.drawMs));
          last = now;
        }
        canvas.dispatchEvent(new PointerEvent('pointerup', { ...init, clientX: x + 360, clientY: y + 90 }));
        return { frames: frames.sort((a, b) => a - b), draws: draws.sort((a, b) => a - b) };
      },
      { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    );
    const median = frames[Math.floor(frames.length / 2)]!;
    const p95 = frames[Math.floor(frames.length * 0.95)]!;
    console.log(
      `# longest frames ${frames
        .slice(-5)
        .map((v) => v.toFixed(0))
        .join(', ')} ms; draws ${draws
        .slice(-5)
        .map((v) => v.toFixed(0))
        .join(
          ', ',
        )} ms\n# map pan, ${COUNT} points, ${Math.round(box.width)}x${Math.round(box.height)} px: frames median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, longest ${frames.at(-1)!.toFixed(1)} ms; draw median ${draws[draws.length >> 1]!.toFixed(1)} ms, longest ${draws.at(-1)!.toFixed(1)} ms`,
    );
    // What the code controls is the draw: one pass over the points, a few ms. The longest
    // frame is asserted where the machine has a core to spare; on a shared machine with more
    // runnable processes than cores, the OS deschedules a 2 ms draw for 100 ms and more, and
    // the figure printed above says so.
    assert.ok(draws[draws.length >> 1]! < 10, `median draw ${draws[draws.length >> 1]!} ms`);
    if (loadavg()[0]! < cpus().length) assert.ok(frames.at(-1)! < 50, `longest frame ${frames.at(-1)!.toFixed(1)} ms`);
    else
      console.log(`# longest frame not asserted: load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(s.errors, []);
  });
});
