// What a command-line command is: a module that adds itself to the program. A command is
// one more module listed in commands/index.ts.
import type { Command } from 'commander';

export interface CliCommand {
  register(program: Command): void;
}

/** Columns for plain-text tables: pads every cell but the last. */
export function table(rows: (string | number)[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  return rows
    .map(
      (row) =>
        indent + row.map((cell, i) => (i < row.length - 1 ? String(cell).padEnd(widths[i]) : String(cell))).join('  '),
    )
    .join('\n');
}
