// The contract over Electron's one IPC channel. A renderer is untrusted: what it sends arrives by
// structured clone, so beyond anything JSON could carry (NaN, BigInt, Maps, cycles), and every
// message goes through the same envelope check and dispatcher as the WebSocket's. Nothing a
// window sends can throw out of here or leave a rejection unhandled: this is the app's main process.
import { IPC_CHANNEL, type MainMessage } from '../../src-shared/rpc';
import { answer, sendSafely, type EventHub, type Provider } from '../rpc/dispatcher';
import { stderrLog, type LogLine } from '../rpc/internal-error';
import { Subscriptions, type Subscriber } from './subscriptions';

/** What of Electron's ipcMain this needs; tests pass an EventEmitter. */
export interface IpcMainLike {
  on(channel: string, listener: (event: { sender: Subscriber }, message: unknown) => void): unknown;
}

export function serveIpc(ipc: IpcMainLike, provider: Provider, hub: EventHub, log: LogLine = stderrLog): void {
  const subscriptions = new Subscriptions(IPC_CHANNEL);
  hub.subscribe((message) => sendSafely((m) => subscriptions.send(m), message, log));
  ipc.on(IPC_CHANNEL, (event, message) => {
    const contents = event.sender;
    subscriptions.add(contents);
    const reply = (m: MainMessage) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, m);
    };
    answer(provider, message, log).then(
      (m) => sendSafely(reply, m, log),
      (err) => log(`unanswered: ${String(err)}`),
    );
  });
}
