// Per-thread CPU time of this process, from /proc/self/task (Linux). The busiest thread's
// share of a step is what the step cannot go below on an idle machine, whatever the load
// here: a way to compare ways of using two cores on a box where other work takes them.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks (user + system; 100 per second on Linux) of each thread, by thread id. */
export function taskTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(')').at(-1)!.trim().split(/\s+/);
      out.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** The busiest thread's CPU milliseconds per step between two readings. */
export function busiestMs(before: Map<string, number>, after: Map<string, number>, steps: number): number {
  let most = 0;
  for (const [tid, t] of after) most = Math.max(most, t - (before.get(tid) ?? 0));
  return (most * 10) / steps;
}
