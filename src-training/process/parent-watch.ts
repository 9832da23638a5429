// The training process must not outlive the process that started it. The IPC channel's
// 'disconnect' (entry.ts) is the quick way to notice, but it is an event: while the main
// thread is inside a long synchronous step (a wasm forward pass over a batch, a weight
// load) nobody hears it, and a killed CLI left its training process running ~20 s. So a
// worker thread, which runs whatever the main thread does, polls the parent's pid and
// ends the process the moment the parent is gone. SIGKILL is safe: the resume checkpoint
// is only ever replaced by an atomic rename, so the last finished epoch stays whole.
import { Worker } from 'node:worker_threads';

/** How often the watcher looks at the parent pid. */
export const PARENT_POLL_MS = 200;

// Plain JavaScript evaluated in the worker: no TypeScript loader needed there.
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { ppid, pollMs } = workerData;
setInterval(() => {
  // Orphaned: the kernel re-parents us (to init or a subreaper), so the parent pid changes.
  if (process.ppid !== ppid) process.kill(process.pid, 'SIGKILL');
}, pollMs);
`;

/**
 * Starts the watcher (a worker thread, kept from holding the process open), and a main-thread
 * poll as a fallback should the worker fail to start. Returns a stop function for tests.
 */
export function watchParent(pollMs = PARENT_POLL_MS): () => void {
  const ppid = process.ppid;
  const orphaned = () => process.ppid !== ppid;
  const timer = setInterval(() => orphaned() && process.exit(3), pollMs);
  timer.unref();
  let worker: Worker | null = null;
  try {
    worker = new Worker(WATCHER, { eval: true, workerData: { ppid, pollMs } });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // The main-thread poll still ends the process once the event loop turns.
  }
  return () => {
    clearInterval(timer);
    void worker?.terminate();
  };
}
