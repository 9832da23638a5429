// Electron's main process: one window, the contract over one IPC channel, and the project's
// images over the studio:// protocol. The services are the same ones the server uses.
import { app, BrowserWindow, ipcMain, protocol, utilityProcess, type WebContents } from 'electron';
import { join } from 'node:path';
import type { ClientMessage } from '../../src-shared/rpc';
import { setEngineLauncher } from '../engine/process/launch';
import { dispatch } from '../rpc/dispatcher';
import { viewableImage } from '../services/media/viewable';
import { Studio } from '../services/studio';
import { modelCacheDir } from '../engine/backbones/model-cache';
import { utilityLauncher } from './utility-launcher';

const CHANNEL = 'studio:rpc';
// Training runs in a utility process: Electron supervises it, and it reads app.asar.
setEngineLauncher(utilityLauncher((file, args, options) => utilityProcess.fork(file, args, options)));
// Weights are per user, shared by every project: Electron's userData, unless STUDIO_MODEL_CACHE says otherwise.
const studio = new Studio({ modelCacheDir: modelCacheDir(join(app.getPath('userData'), 'models')) });
const handlers = studio.handlers();

protocol.registerSchemesAsPrivileged([{ scheme: 'studio', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveImages(): void {
  // The same bytes the server sends (services/media/viewable.ts): re-encoded, checked against the stored hash.
  protocol.handle('studio', async (request) => {
    const url = new URL(request.url);
    const image = await viewableImage(studio.project, url.host, url.pathname.replace(/^\//, ''));
    if (!image.ok) return new Response(image.message, { status: image.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return new Response(new Uint8Array(image.body), { headers: { 'content-type': image.type, 'cache-control': image.cacheControl } });
  });
}

/** Events go to each window that asked for them, until it navigates away or closes. */
const subscribed = new Set<WebContents>();

function wireIpc(): void {
  studio.hub.subscribe((message) => {
    for (const contents of subscribed) if (!contents.isDestroyed()) contents.send(CHANNEL, message);
  });
  ipcMain.on(CHANNEL, async (event, message: ClientMessage) => {
    const contents = event.sender;
    if (!subscribed.has(contents)) {
      subscribed.add(contents);
      const drop = () => subscribed.delete(contents);
      contents.once('destroyed', drop);
      contents.once('did-start-navigation', drop);
    }
    if (message?.kind !== 'call') return;
    const reply = await dispatch(handlers, message);
    if (!contents.isDestroyed()) contents.send(CHANNEL, reply);
  });
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Finetune Studio',
    backgroundColor: '#16181d',
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadFile(join(__dirname, '../renderer/index.html'));
}

app.whenReady().then(() => {
  const project = process.env.STUDIO_PROJECT;
  if (project) studio.open(project, true);
  serveImages();
  wireIpc();
  createWindow();
});

app.on('window-all-closed', () => {
  studio.close();
  app.quit();
});
