// Runs the command line as a user would, in a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { studioArgv } from '../../fixtures/children';

const repo = join(import.meta.dirname, '..', '..', '..');

export function studio(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, studioArgv(...args), { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function studioAsync(...args: string[]): ChildProcess {
  return spawn(process.execPath, studioArgv(...args), { cwd: repo, stdio: 'ignore' });
}
