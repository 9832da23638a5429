// The connection and the app's state reach components through Svelte context, set once by
// the app, so a component deep in the tree (a path field, a thumbnail) need not have them
// passed through every parent. Props stay for what a component is about: its data and callbacks.
import { getContext, setContext } from 'svelte';
import type { AppState } from './app.svelte';
import type { Connection } from './connection.svelte';

const CONNECTION = Symbol('studio-connection');
const APP = Symbol('studio-app');

export function provideConnection(connection: Connection): void {
  setContext(CONNECTION, connection);
}

export function useConnection(): Connection {
  const connection = getContext<Connection | undefined>(CONNECTION);
  if (!connection) throw new Error('useConnection: no connection in context; App.svelte provides it');
  return connection;
}

export function provideApp(app: AppState): void {
  setContext(APP, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(APP);
  if (!app) throw new Error('useApp: no app state in context; App.svelte provides it');
  return app;
}
