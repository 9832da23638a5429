// The renderer's one handle on the studio's services. Calls go through a client that is
// replaced whenever the channel drops, so calls in flight fail with a clear message
// instead of hanging, and event subscriptions carry over to the next session.
import type { Api, EventName, EventPayload } from '../../../src-shared/contract';
import { createClient, type Client } from '../../../src-shared/rpc';
import type { Link, LinkStatus } from '../socket-link';

export interface MediaUrls {
  thumbUrl(hash: string): string;
  imageUrl(hash: string): string;
  /** A file the studio exported, served for download; absent where the files are the user's own disk (Electron). */
  downloadUrl?(path: string): string;
}

type AnyListener = (payload: unknown) => void;

export class Connection {
  #status = $state<LinkStatus>('connecting');
  readonly #link: Link;
  readonly #media: MediaUrls;
  readonly #listeners = new Map<EventName, Set<AnyListener>>();
  readonly #reopenHooks = new Set<() => void>();
  #client: Client;
  readonly api: Api;

  constructor(link: Link, media: MediaUrls) {
    this.#link = link;
    this.#media = media;
    this.#client = this.#newClient();
    this.api = this.#forwardingApi();
    link.onStatus((status, reopened) => this.#onStatus(status, reopened));
  }

  get status(): LinkStatus {
    return this.#status;
  }

  thumbUrl(hash: string): string {
    return this.#media.thumbUrl(hash);
  }

  imageUrl(hash: string): string {
    return this.#media.imageUrl(hash);
  }

  /** Where a browser downloads an exported file from the server; null in Electron, where the file is already local. */
  downloadUrl(path: string): string | null {
    return this.#media.downloadUrl?.(path) ?? null;
  }

  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
      this.#client.on(name, (payload) => this.#emit(name, payload));
    }
    set.add(listener as AnyListener);
    return () => set.delete(listener as AnyListener);
  }

  /** Runs `hook` each time the channel comes back after a drop, to reload what may have changed. */
  onReopen(hook: () => void): () => void {
    this.#reopenHooks.add(hook);
    return () => this.#reopenHooks.delete(hook);
  }

  /**
   * Tells the studio the person chose `path` (typed it, or browsed to it): a call may read or
   * write only paths chosen this session, the open project and the model cache.
   */
  async choose(path: string): Promise<string> {
    await this.api.folders.pick({ path });
    return path;
  }

  retryNow(): void {
    this.#link.retryNow();
  }

  #onStatus(status: LinkStatus, reopened: boolean): void {
    if (this.#status === 'open' && status !== 'open') {
      // The old client's calls can never be answered now: fail them and start afresh.
      this.#client.dispose();
      this.#client = this.#newClient();
    }
    this.#status = status;
    if (reopened) for (const hook of this.#reopenHooks) hook();
  }

  #newClient(): Client {
    const client = createClient(this.#link);
    for (const name of this.#listeners.keys()) client.on(name, (payload) => this.#emit(name, payload));
    return client;
  }

  #emit(name: EventName, payload: unknown): void {
    for (const listener of this.#listeners.get(name) ?? []) listener(payload);
  }

  /** An Api whose every call goes to whichever client is current at call time. */
  #forwardingApi(): Api {
    const service = (name: string) =>
      new Proxy(
        {},
        {
          get: (_target, method) => (input: unknown) => {
            const api = this.#client.api as unknown as Record<string, Record<string, (i: unknown) => unknown>>;
            return api[name][String(method)](input);
          },
        },
      );
    return new Proxy({}, { get: (_target, name) => service(String(name)) }) as Api;
  }
}
