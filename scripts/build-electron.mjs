// Bundles Electron's main process and preload into CommonJS (a sandboxed preload must be one
// CJS file). Native modules and Electron stay external.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['src-main/electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron', 'better-sqlite3', 'sharp'] });
await build({ ...common, entryPoints: ['src-main/electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
console.log('built dist/electron/main.cjs and preload.cjs');
