// PyTorch for bench/cpu-step: Debian's python3-torch under /usr/bin/python3, installed by the
// bench when it is missing (never by CI), and the long-lived python process that answers
// the bench's requests one JSON line at a time.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-torch', 'python3-torchvision'];

function torchVersion(): string | null {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Installs Debian's PyTorch with apt-get when it is missing; needs root (the dev box and CI images run as root). */
export function ensureTorch(): string {
  const have = torchVersion();
  if (have) return have;
  if (process.getuid?.() !== 0)
    throw new Error(`PyTorch is missing; run: sudo apt-get install -y ${PACKAGES.join(' ')} (then the bench again)`);
  console.log(`installing ${PACKAGES.join(' ')} with apt-get (once)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], { stdio: 'inherit', env });
  const got = torchVersion();
  if (!got) throw new Error(`apt-get installed ${PACKAGES.join(' ')}, but ${PYTHON} still cannot import torch`);
  return got;
}

export class TorchSide {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(dataDir: string) {
    // One intra-op thread unless a request asks for more; OpenMP must not pick its own.
    const env = { ...process.env, OMP_NUM_THREADS: '1' };
    this.proc = spawn(PYTHON, [join(import.meta.dirname, 'torch_step.py'), dataDir], { env });
    this.proc.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async request<T>(req: object | null): Promise<T> {
    if (req) this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`the PyTorch side exited (code ${this.proc.exitCode})`);
    const out = JSON.parse(value as string) as T & { error?: string };
    if (out.error) throw new Error(`PyTorch side: ${out.error}`);
    return out;
  }

  close(): void {
    this.proc.stdin.end();
  }
}
