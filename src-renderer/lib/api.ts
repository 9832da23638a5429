// How the renderer reaches the studio: Electron's preload bridge when it is there,
// otherwise the headless server that served this page, over a WebSocket behind the token
// the page was opened with.
import { StudioError } from '../../src-shared/errors';
import { BridgeLink, SocketLink } from './socket-link';
import { Connection } from './state/connection.svelte';

export function connectStudio(): Connection {
  const bridge = window.studio;
  if (bridge) {
    return new Connection(new BridgeLink(bridge), {
      thumbUrl: (hash) => bridge.thumbUrl(hash),
      imageUrl: (hash) => bridge.imageUrl(hash),
    });
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const query = `?token=${encodeURIComponent(token)}`;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new Connection(new SocketLink(`${scheme}://${location.host}/rpc${query}`), {
    thumbUrl: (hash) => `/thumb/${hash}${query}`,
    imageUrl: (hash) => `/image/${hash}${query}`,
    downloadUrl: (path) => `/download${query}&path=${encodeURIComponent(path)}`,
  });
}

/** The text to show a person for a failed call: the studio's own messages are written for them. */
export function errorMessage(err: unknown): string {
  if (err instanceof StudioError) return err.message;
  if (err instanceof Error) return `Something went wrong: ${err.message}`;
  return `Something went wrong: ${String(err)}`;
}

export type { Connection };
