// Electron's main process: one window, the contract over one IPC channel, and the project's
// images over the studio:// protocol. The services are the same ones the server uses.
import { app, BrowserWindow, ipcMain, net, protocol, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientMessage } from '../../src-shared/rpc';
import { dispatch } from '../rpc/dispatcher';
import { Studio } from '../services/studio';

const CHANNEL = 'studio:rpc';
// Weights are per user, shared by every project: Electron's userData, unless STUDIO_MODEL_CACHE says otherwise.
const studio = new Studio({ modelCacheDir: join(app.getPath('userData'), 'models') });
const handlers = studio.handlers();

protocol.registerSchemesAsPrivileged([{ scheme: 'studio', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveImages(): void {
  protocol.handle('studio', async (request) => {
    const url = new URL(request.url);
    const hash = url.pathname.replace(/^\//, '');
    if (!/^[0-9a-f]{64}$/.test(hash)) return new Response('Bad image address.', { status: 400 });
    const file = url.host === 'thumb' ? studio.thumbFile(hash) : url.host === 'image' ? studio.originalFile(hash) : null;
    if (!file) return new Response('No such image in the open project.', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
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
