// In an Electron utility process the parent is reached through `process.parentPort`, not
// Node's IPC channel. entry.ts speaks Node's (`process.send`, the 'message' event), so the
// built entry loads this first and the one is adapted to the other; under Node it does nothing.

/** The part of Electron's ParentPort used here. */
export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
}

type Sendable = NodeJS.EventEmitter & { send?: (...args: unknown[]) => boolean; parentPort?: ParentPortLike };

/**
 * A port message is handed over asynchronously, so a send's callback (which entry.ts awaits
 * before it exits) waits a moment: exiting right after posting could lose the last result.
 */
export const FLUSH_MS = 50;

export function adoptParentPort(proc: Sendable = process as unknown as Sendable): boolean {
  const port = proc.parentPort;
  if (!port || proc.send) return false;
  proc.send = (message: unknown, ...rest: unknown[]) => {
    port.postMessage(message);
    const done = rest.find((r): r is (err: Error | null) => void => typeof r === 'function');
    if (done) setTimeout(() => done(null), FLUSH_MS);
    return true;
  };
  port.on('message', (e) => proc.emit('message', e.data));
  return true;
}

adoptParentPort();
