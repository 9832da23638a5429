// Builds the Svelte renderer. Relative asset paths (base './') let the same build load
// from Electron's custom protocol and from the headless server at any port.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./src-renderer'),
  base: './',
  // The Svelte config sits at the repository root (svelte-check reads it there too), not in `root`.
  plugins: [svelte({ configFile: here('./svelte.config.js') })],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // The app runs offline from disk; one chunk per entry is simpler to serve and cache.
    assetsInlineLimit: 0,
  },
  server: { host: '127.0.0.1' },
});
