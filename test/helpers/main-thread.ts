// How busy the main thread stayed while an async call ran: its event loop's busy share, the
// longest gap between ticks of a timer of `tickMs`, and the longest event-loop delay that
// perf_hooks saw (1 ms resolution). Shared by the fitting thread's test and bench/assist-block.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface MainThreadWatch {
  /** Wall time of the call. */
  ms: number;
  /** Longest event-loop delay, from monitorEventLoopDelay. */
  delayMs: number;
  /** Longest gap between two ticks of the timer. */
  gapMs: number;
  /** The main thread's event-loop utilization over the call, 0..1. */
  busy: number;
}

export async function watchMainThread<T>(f: () => Promise<T>, tickMs: number): Promise<{ out: T; w: MainThreadWatch }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const elu = performance.eventLoopUtilization();
  let last = performance.now();
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, tickMs);
  const t0 = performance.now();
  try {
    const out = await f();
    const ms = performance.now() - t0;
    return { out, w: { ms, delayMs: delay.max / 1e6, gapMs, busy: performance.eventLoopUtilization(elu).utilization } };
  } finally {
    clearInterval(tick);
    delay.disable();
  }
}
