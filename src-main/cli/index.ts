// The command line: `npm run studio -- COMMAND ...`. A StudioError is the user's to fix, so
// it prints as one plain line; anything else is our bug and keeps its stack.
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { StudioError } from '../../src-shared/errors';
import { commands } from './commands/index';

export function buildProgram(): Command {
  const program = new Command('studio')
    .description('Finetune Studio on the command line: import and inspect image-classification projects.')
    .showHelpAfterError();
  for (const command of commands) command.register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof StudioError) console.error(`studio: ${err.message}`);
    // The store translates what it can; a database failure it did not still gets words, not a stack.
    else if (/^SQLITE_/.test(String((err as { code?: unknown }).code)))
      console.error(
        `studio: the project's database failed (${(err as { code: string }).code}): ${(err as Error).message}. Run \`studio info PROJECT\` to check it.`,
      );
    else console.error(err);
    process.exitCode = 1;
  }
}

// Run only as the entry point, so tests can import buildProgram.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv);
