/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { ClientMessage, MainMessage } from '../src-shared/rpc';

declare global {
  /** What Electron's preload exposes: the contract's channel and the image protocol's URLs. */
  interface StudioBridge {
    send(message: ClientMessage): void;
    onMessage(listener: (message: MainMessage) => void): () => void;
    thumbUrl(hash: string): string;
    imageUrl(hash: string): string;
  }
  interface Window {
    studio?: StudioBridge;
  }
}
