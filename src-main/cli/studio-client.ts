// A command reaches a project the way every other door does: a Studio whose handlers serve
// the contract, here over in-memory transports (with the JSON round trip of a real wire).
// So its edits are the studio's edits, events and undo history included, and what it may
// read or write is what the contract allows; the paths on its command line are the
// person's own choice and are allowed for the command.
import { join } from 'node:path';
import type { Api } from '../../src-shared/contract';
import type { ProjectInfo } from '../../src-shared/schemas';
import { createClient, type Client } from '../../src-shared/rpc';
import { memoryTransports, serve } from '../rpc/dispatcher';
import { readOnlyRefusal } from '../services/project/project';
import { Studio, type StudioOptions } from '../services/studio';

export interface CliSession {
  api: Api;
  /** The project as it opened. */
  project: ProjectInfo;
  on: Client['on'];
}

export interface CliOpenOptions {
  /** Create the project folder when it is missing (import). */
  create?: boolean;
  /** Files and folders named on the command line, besides the project. */
  paths?: string[];
  /** The command changes the project: a read-only one is refused before anything starts. */
  write?: boolean;
  imports?: StudioOptions['imports'];
  assist?: StudioOptions['assist'];
}

export async function withStudio<T>(
  dir: string,
  fn: (session: CliSession) => Promise<T> | T,
  opts: CliOpenOptions = {},
): Promise<T> {
  return session(
    async (studio, connection) => {
      for (const path of [dir, ...(opts.paths ?? [])]) studio.folders.access.grant(path);
      const info = await connection.api.project.open({ path: dir, create: opts.create ?? false });
      if (opts.write && info.readOnly) throw readOnlyRefusal(info.path, join(info.path, 'studio.db'));
      return fn({ api: connection.api, project: info, on: (name, listener) => connection.on(name, listener) });
    },
    { imports: opts.imports, assist: opts.assist },
  );
}

/** A studio with no project open, for what needs none (the backbones and their weights). */
export function withBareStudio<T>(
  fn: (session: Omit<CliSession, 'project'>) => Promise<T> | T,
  paths: string[] = [],
): Promise<T> {
  return session((studio, connection) => {
    for (const path of paths) studio.folders.access.grant(path);
    return fn({ api: connection.api, on: (name, listener) => connection.on(name, listener) });
  });
}

async function session<T>(
  fn: (studio: Studio, connection: Client) => Promise<T> | T,
  opts: Pick<StudioOptions, 'imports' | 'assist'> = {},
): Promise<T> {
  const studio = new Studio({ background: false, ...opts });
  const { client, server } = memoryTransports();
  // An unexpected failure prints its id and detail on stderr: the person at the terminal is the one to report it.
  const stop = serve(studio, studio.hub, server, (line) => console.error(`studio: ${line}`));
  const connection = createClient(client);
  try {
    return await fn(studio, connection);
  } finally {
    connection.dispose();
    stop();
    await studio.idle();
    studio.close();
  }
}
