// `npm run serve -- --project DIR [--port N] [--host-name NAME]`: the studio in any browser.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Studio } from '../services/studio';
import { startServer } from './server';

/** dist/server/cli-serve.mjs (built, packaged) finds dist/renderer beside it; the sources find the repo's. */
function defaultRenderer(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, '..', 'renderer');
  return existsSync(join(built, 'index.html')) ? built : join(here, '..', '..', 'dist', 'renderer');
}

export async function main(argv: string[]): Promise<void> {
  const opts = new Command('serve')
    .description('Serve Finetune Studio to a browser on 127.0.0.1')
    .option('--project <dir>', 'project folder to open (created if missing)')
    .option('--port <n>', 'port to listen on (default: any free port)', (v) => Number.parseInt(v, 10))
    .option(
      '--renderer <dir>',
      'built renderer folder (default: beside this program, wherever it is started from)',
      defaultRenderer(),
    )
    .option(
      '--host-name <name>',
      'another name the browser reaches this server by, besides 127.0.0.1 and localhost: NAME (at this port) or NAME:PORT (a forwarded port); repeatable',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .parse(argv, { from: 'user' })
    .opts<{ project?: string; port?: number; renderer: string; hostName: string[] }>();

  const studio = new Studio({ door: 'the Finetune Studio server' });
  if (opts.project) studio.open({ path: resolve(opts.project), create: true });
  const server = await startServer({
    studio,
    rendererDir: opts.renderer,
    port: opts.port,
    allowedHosts: opts.hostName,
  });
  console.log(`Finetune Studio: ${server.url}`);

  const stop = async () => {
    await server.close();
    studio.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`Finetune Studio could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
