// The reduction scan and the near-duplicate search, as one line on stderr that rewrites
// itself, for the curation commands (only on a terminal: a pipe gets no progress).
import type { CliSession } from '../studio-client';

export function reportScan(on: CliSession['on']): void {
  if (!process.stderr.isTTY) return;
  on('curation.progress', (p) => {
    const what =
      p.stage === 'reducing'
        ? `scanning ${p.done}/${p.total}`
        : `${p.stage === 'comparing' ? 'comparing' : 'checking likely copies'} ${Math.floor(p.done / 10)} %`;
    // Padded, so a shorter line overwrites a longer one.
    process.stderr.write(p.running ? `\r${what.padEnd(40)}` : '\n');
  });
}
