// How busy the machine is when phase 2 starts, and how many shards that leaves room for
// (shards.ts). The shards cost about 25 % more CPU in all than the one-thread step
// (bench/README.md, cpu-step), and each step waits for its slowest shard: they pay only when
// each shard has a core to itself.
import { availableParallelism, cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MachineLoad {
  /** Cores this process may run on. */
  cores: number;
  /** Cores' worth of CPU time other processes used over the sample. */
  othersBusy: number;
}

export interface ShardChoice {
  count: number;
  /** Why fewer shards than wanted, for the run's record. */
  note?: string;
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const { user, nice, sys, irq, idle } = c.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

const ownMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * What other processes keep busy, sampled over `ms` while this process waits: every CPU's busy
 * time (os.cpus(), any platform) less this process's own. Not the load average: at phase 2's
 * start it still counts this process's own cache build (ONNX Runtime on every core) or phase 1,
 * which would read as a busy machine on an idle one. Where os.cpus() lists more CPUs than this
 * process may use (an affinity mask), the busy share is taken as the same on its own cores.
 */
export async function sampleLoad(ms = 1000): Promise<MachineLoad> {
  const cores = availableParallelism();
  if (cores < 2) return { cores, othersBusy: 0 };
  const a = cpuTimes();
  const own = ownMs();
  await sleep(ms);
  const b = cpuTimes();
  const total = b.total - a.total;
  if (total <= 0) return { cores, othersBusy: 0 };
  const others = Math.max(0, b.busy - a.busy - (ownMs() - own));
  return { cores, othersBusy: Math.min(cores, (others / total) * cores) };
}

/**
 * The default shard count: one per core up to `max`, and fewer when the cores they need are
 * not free. The rule: each shard needs a core to itself, and half a core more than the others
 * leave free is counted as taken, for what a one-second sample misses; so n shards fit when
 * `cores - othersBusy > n - 0.5`. On 2 cores (the load average's "at or above the cores less
 * one half", counting this process's one thread), another process using half a core or more
 * keeps the step on one thread: the
 * second shard would share a core, be descheduled for whole time slices while the first
 * waits for it at every step, and take its 25 % extra CPU from that process.
 */
export function shardsForLoad(load: MachineLoad, max = 2): ShardChoice {
  const wanted = Math.min(max, load.cores);
  const free = load.cores - load.othersBusy;
  const fit = Math.max(1, Math.min(wanted, Math.ceil(free - 0.5)));
  if (fit >= wanted) return { count: wanted };
  return {
    count: fit,
    note: `the machine was busy (other processes kept ${load.othersBusy.toFixed(1)} of ${load.cores} cores busy)`,
  };
}
