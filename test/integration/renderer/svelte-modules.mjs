// A Node module hook that loads the renderer's `*.svelte.ts` state classes the way Vite does:
// TypeScript stripped by esbuild, then runes compiled by Svelte for the client, and `svelte`
// itself resolved to its browser build (the one whose effects run). Register it before the
// first dynamic import of a state module.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { compileModule } from 'svelte/compiler';

export async function resolve(specifier, context, next) {
  if (specifier !== 'svelte' && !specifier.startsWith('svelte/')) return next(specifier, context);
  return next(specifier, { ...context, conditions: [...context.conditions, 'browser'] });
}

export async function load(url, context, next) {
  if (!/\.svelte\.ts$/.test(new URL(url).pathname)) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcefile: filename,
  });
  return {
    format: 'module',
    source: compileModule(code, { filename, generate: 'client' }).js.code,
    shortCircuit: true,
  };
}
