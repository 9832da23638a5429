// A Node module hook that compiles `.svelte` components for the server (svelte/server's
// render), so a component's markup can be checked without a browser. `svelte` resolves to its
// server build, as in SSR. Register it before the first dynamic import of a component.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'svelte/compiler';

export async function load(url, context, next) {
  if (!new URL(url).pathname.endsWith('.svelte')) return next(url, context);
  const filename = fileURLToPath(url);
  const { js } = compile(await readFile(filename, 'utf8'), { filename, generate: 'server' });
  return { format: 'module', source: js.code, shortCircuit: true };
}
