// Which windows get the studio's events. A window subscribes with its first message and
// keeps its subscription while the renderer changes pages inside the document (the app's
// pages are one document); it ends when the window closes or loads a new document, whose
// renderer subscribes again with its own first message.
import type { MainMessage } from '../../src-shared/rpc';

/** What of Electron's WebContents this needs; tests pass an EventEmitter. */
export interface Subscriber {
  isDestroyed(): boolean;
  send(channel: string, message: MainMessage): void;
  once(event: 'destroyed', listener: () => void): unknown;
  on(event: 'did-start-navigation', listener: (details: NavigationDetails) => void): unknown;
  off(event: 'did-start-navigation', listener: (details: NavigationDetails) => void): unknown;
}

export interface NavigationDetails {
  isSameDocument: boolean;
  isMainFrame: boolean;
}

/** A navigation that replaces the window's document; a same-document one (history, hash) or a subframe's does not. */
export const replacesDocument = (details: NavigationDetails): boolean => details.isMainFrame && !details.isSameDocument;

export class Subscriptions {
  readonly #windows = new Set<Subscriber>();
  readonly #channel: string;

  constructor(channel: string) {
    this.#channel = channel;
  }

  get size(): number {
    return this.#windows.size;
  }

  add(contents: Subscriber): void {
    if (this.#windows.has(contents)) return;
    this.#windows.add(contents);
    const onNavigate = (details: NavigationDetails) => {
      if (replacesDocument(details)) drop();
    };
    const drop = () => {
      this.#windows.delete(contents);
      contents.off('did-start-navigation', onNavigate);
    };
    contents.once('destroyed', drop);
    contents.on('did-start-navigation', onNavigate);
  }

  send(message: MainMessage): void {
    for (const contents of this.#windows) if (!contents.isDestroyed()) contents.send(this.#channel, message);
  }
}
