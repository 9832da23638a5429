// Whether a pid recorded in the project (an import's, a run's) still runs.
import { readFileSync } from 'node:fs';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that ended but was not reaped still answers kill(pid, 0). A training process
 * whose CLI was killed is re-parented to PID 1, which in a container may never reap it: read
 * as alive, its run would stay "running" instead of becoming resumable. Linux says so in
 * /proc; elsewhere nothing is known and the process counts as alive.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return false;
  }
}
