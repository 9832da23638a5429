// An unexpected failure (our bug, a library's surprise) is never shown to a client in its
// own words, which may hold paths or a file's content: the client gets an id to quote, and
// the detail goes to the main side's log under that id. The HTTP door and the RPC doors
// both answer this way.
import { randomBytes } from 'node:crypto';

export type LogLine = (line: string) => void;

export const stderrLog: LogLine = (line) => console.error(line);

/** Logs `err` with its stack under a fresh id; returns what the client is told. */
export function reportInternal(err: unknown, log: LogLine): { id: string; message: string } {
  const id = randomBytes(4).toString('hex');
  log(`internal error ${id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return {
    id,
    message: `Internal error (id ${id}). The details are in the studio's log under this id; quote it when you report the problem.`,
  };
}
