// The connection reaches components through Svelte context, set once by the app, so a
// component deep in the tree (a path field) need not have it passed through every parent.
import { getContext, setContext } from 'svelte';
import type { Connection } from './connection.svelte';

const KEY = Symbol('studio-connection');

export function provideConnection(connection: Connection): void {
  setContext(KEY, connection);
}

export function useConnection(): Connection {
  const connection = getContext<Connection | undefined>(KEY);
  if (!connection) throw new Error('useConnection: no connection in context; App.svelte provides it');
  return connection;
}
