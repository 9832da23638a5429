// The connection and the app's state reach components through Svelte context, set once by
// the app, so a component deep in the tree (a path field, a thumbnail) need not have them
// passed through every parent. Props stay for what a component is about: its data and callbacks.
import { getContext, setContext } from 'svelte';
import type { AppState } from './app.svelte';
import type { Connection } from './connection.svelte';

/** A context value's two ends: `provide` in App.svelte, `use` anywhere below it. */
function contextValue<T>(name: string): { provide: (value: T) => void; use: () => T } {
  const key = Symbol(name);
  return {
    provide: (value) => void setContext(key, value),
    use: () => {
      const value = getContext<T | undefined>(key);
      if (value === undefined) throw new Error(`no ${name} in context; App.svelte provides it`);
      return value;
    },
  };
}

const connection = contextValue<Connection>('studio connection');
const app = contextValue<AppState>('app state');

export const provideConnection = connection.provide;
export const useConnection = connection.use;
export const provideApp = app.provide;
export const useApp = app.use;
