// The browser's channel to the headless server: one WebSocket that comes back by itself.
// Messages sent while the socket is down wait in a queue, so a call made during a short
// outage is answered once the socket is back rather than lost.
import type { ClientMessage, MainMessage } from '../../src-shared/rpc';

/** `unreachable`: never connected yet; `lost`: was connected and dropped. */
export type LinkStatus = 'connecting' | 'open' | 'lost' | 'unreachable';

export interface Link {
  send(message: ClientMessage): void;
  onMessage(listener: (message: MainMessage) => void): () => void;
  /** Called on every status change; `reopened` is true when an earlier session had dropped. */
  onStatus(listener: (status: LinkStatus, reopened: boolean) => void): () => void;
  retryNow(): void;
}

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

export class SocketLink implements Link {
  readonly #url: string;
  readonly #queue: string[] = [];
  readonly #messageListeners = new Set<(message: MainMessage) => void>();
  readonly #statusListeners = new Set<(status: LinkStatus, reopened: boolean) => void>();
  #socket: WebSocket | null = null;
  #delay = MIN_DELAY_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #everOpened = false;
  #lastOpened: WebSocket | null = null;

  constructor(url: string) {
    this.#url = url;
    this.#connect();
  }

  send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(text);
    else this.#queue.push(text);
  }

  onMessage(listener: (message: MainMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  onStatus(listener: (status: LinkStatus, reopened: boolean) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  retryNow(): void {
    if (this.#socket) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#delay = MIN_DELAY_MS;
    this.#connect();
  }

  #connect(): void {
    this.#timer = null;
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#lastOpened = socket;
      const reopened = this.#everOpened;
      this.#everOpened = true;
      this.#delay = MIN_DELAY_MS;
      for (const text of this.#queue.splice(0)) socket.send(text);
      this.#emitStatus('open', reopened);
    };
    socket.onmessage = (event) => this.#deliver(event.data);
    socket.onclose = () => {
      this.#socket = null;
      // Messages queued while this socket was closing belong to calls that the connection
      // is about to fail; sent later, their ids would collide with the next client's.
      if (this.#lastOpened === socket) this.#queue.length = 0;
      this.#emitStatus(this.#everOpened ? 'lost' : 'unreachable', false);
      // Back off so a server that is gone for good is not hammered.
      this.#timer = setTimeout(() => this.#connect(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, MAX_DELAY_MS);
    };
  }

  #deliver(data: unknown): void {
    let message: MainMessage;
    try {
      message = JSON.parse(String(data)) as MainMessage;
    } catch {
      return; // Not ours to answer: the server only ever sends JSON.
    }
    for (const listener of this.#messageListeners) listener(message);
  }

  #emitStatus(status: LinkStatus, reopened: boolean): void {
    for (const listener of this.#statusListeners) listener(status, reopened);
  }
}

/** Electron's preload channel never drops while the window lives. */
export class BridgeLink implements Link {
  readonly #bridge: StudioBridge;

  constructor(bridge: StudioBridge) {
    this.#bridge = bridge;
  }

  send(message: ClientMessage): void {
    this.#bridge.send(message);
  }

  onMessage(listener: (message: MainMessage) => void): () => void {
    return this.#bridge.onMessage(listener);
  }

  onStatus(listener: (status: LinkStatus, reopened: boolean) => void): () => void {
    listener('open', false);
    return () => {};
  }

  retryNow(): void {}
}
