// Electron's main process: one window, the contract over one IPC channel, and the project's
// images over the studio:// protocol. The services are the same ones the server uses.
import { app, BrowserWindow, dialog, ipcMain, protocol, screen, utilityProcess } from 'electron';
import { join } from 'node:path';
import type { NativePickInput } from '../../src-shared/folders';
import { setEngineLauncher } from '../training-host/launch';
import { viewableImage } from '../services/media/viewable';
import { Studio } from '../services/studio';
import { modelCacheDir } from '../../src-node-shared/backbones/model-cache';
import { userConfigDir } from '../services/folders/recents';
import { openOptions, saveOptions } from './native-picker';
import { serveIpc } from './ipc-door';
import { utilityLauncher } from './utility-launcher';
import { fitToScreens, MIN_HEIGHT, MIN_WIDTH, readWindowState, writeWindowState } from './window-state';

let win: BrowserWindow | null = null;

// One app instance: a second launch brings this window forward instead of opening the
// project again beside it (two windows on one project would edit and train over each other).
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
app.on('second-instance', () => {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

async function pickNative(input: NativePickInput): Promise<string | null> {
  if (input.kind === 'save') {
    const saved = win
      ? await dialog.showSaveDialog(win, saveOptions(input))
      : await dialog.showSaveDialog(saveOptions(input));
    return saved.canceled || !saved.filePath ? null : saved.filePath;
  }
  const opened = win
    ? await dialog.showOpenDialog(win, openOptions(input))
    : await dialog.showOpenDialog(openOptions(input));
  return opened.canceled ? null : (opened.filePaths[0] ?? null);
}

// Training runs in a utility process: Electron supervises it, and it reads app.asar.
setEngineLauncher(utilityLauncher((file, args, options) => utilityProcess.fork(file, args, options)));
// Weights and settings are per user, shared by every project: Electron's userData, unless
// STUDIO_MODEL_CACHE / STUDIO_CONFIG_DIR say otherwise.
const studio = new Studio({
  modelCacheDir: modelCacheDir(join(app.getPath('userData'), 'models')),
  configDir: userConfigDir(app.getPath('userData')),
  nativePicker: pickNative,
  door: 'the Finetune Studio app',
});

protocol.registerSchemesAsPrivileged([
  { scheme: 'studio', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function serveImages(): void {
  // The same bytes the server sends (services/media/viewable.ts): re-encoded, checked against the stored hash.
  protocol.handle('studio', async (request) => {
    const url = new URL(request.url);
    const image = await viewableImage(studio.project, url.host, url.pathname.replace(/^\//, ''));
    if (!image.ok)
      return new Response(image.message, {
        status: image.status,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    return new Response(new Uint8Array(image.body), {
      headers: { 'content-type': image.type, 'cache-control': image.cacheControl },
    });
  });
}

function createWindow(): void {
  const stateFile = join(app.getPath('userData'), 'window.json');
  const saved = fitToScreens(
    readWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  win = new BrowserWindow({
    width: saved.width,
    height: saved.height,
    x: saved.x,
    y: saved.y,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Finetune Studio',
    backgroundColor: '#16181d',
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  if (saved.maximized) win.maximize();
  const current = win;
  // The normal bounds, not the maximized ones, so that un-maximizing next time restores them.
  current.on('close', () =>
    writeWindowState(stateFile, { ...current.getNormalBounds(), maximized: current.isMaximized() }),
  );
  current.on('closed', () => (win = null));
  current.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void current.loadFile(join(__dirname, '../renderer/index.html'));
}

app
  .whenReady()
  .then(() => {
    if (!primary) return; // quitting: the first instance has the window
    const project = process.env.STUDIO_PROJECT;
    if (project) {
      try {
        studio.open({ path: project, create: true });
      } catch (err) {
        dialog.showErrorBox('Finetune Studio', err instanceof Error ? err.message : String(err));
      }
    }
    serveImages();
    serveIpc(ipcMain, studio, studio.hub);
    createWindow();
  })
  .catch((err: unknown) => {
    // Nothing is on screen yet to show it in, so it goes to a dialog and the app ends.
    dialog.showErrorBox('Finetune Studio could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });

app.on('window-all-closed', () => {
  studio.close();
  app.quit();
});
