// `npm start`: the Electron window where Electron's binary is present (fetching it when it is
// missing and the network allows), else the headless server and a URL to open in a browser.
//   npm start -- [--project DIR] [--port N] [--browser]
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { stdio: 'inherit', ...opts });

function electronBinary() {
  try {
    const dir = join(require.resolve('electron/package.json'), '..');
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function fetchElectron() {
  try {
    const dir = join(require.resolve('electron/package.json'), '..');
    console.log("Electron's binary is missing: trying to download it (node node_modules/electron/install.js)...");
    const r = run(process.execPath, [join(dir, 'install.js')], { timeout: 120_000, stdio: 'ignore' });
    return r.status === 0 ? electronBinary() : null;
  } catch {
    return null;
  }
}

function ensureRenderer() {
  if (existsSync('dist/renderer/index.html')) return;
  const r = run('npx', ['vite', 'build', '--logLevel', 'warn']);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

ensureRenderer();
const wantBrowser = args.includes('--browser') || !hasDisplay();
const binary = wantBrowser ? null : (electronBinary() ?? fetchElectron());

if (binary) {
  const built = run(process.execPath, ['scripts/build-electron.mjs']);
  if (built.status !== 0) process.exit(built.status ?? 1);
  const at = args.indexOf('--project');
  const env = { ...process.env, ...(at >= 0 ? { STUDIO_PROJECT: args[at + 1] } : {}) };
  spawn(binary, ['.'], { stdio: 'inherit', env }).on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!wantBrowser) console.log('Electron is not available here: starting the browser UI instead.');
  const serveArgs = args.filter((a) => a !== '--browser');
  spawn('npx', ['tsx', 'src-main/server/cli-serve.ts', ...serveArgs], { stdio: 'inherit' }).on('exit', (code) =>
    process.exit(code ?? 0),
  );
}
