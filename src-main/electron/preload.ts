// The only bridge between the sandboxed renderer and the main process: one channel carrying
// the contract's messages, plus the URLs of the project's images. No raw ipcRenderer leaks out.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNEL as CHANNEL, type ClientMessage, type MainMessage } from '../../src-shared/rpc';

contextBridge.exposeInMainWorld('studio', {
  send: (message: ClientMessage) => ipcRenderer.send(CHANNEL, message),
  onMessage: (listener: (message: MainMessage) => void) => {
    const wrapped = (_event: IpcRendererEvent, message: MainMessage) => listener(message);
    ipcRenderer.on(CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(CHANNEL, wrapped);
  },
  thumbUrl: (hash: string) => `studio://thumb/${hash}`,
  imageUrl: (hash: string) => `studio://image/${hash}`,
});
