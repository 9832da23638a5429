// A test reporter for scripts/test.mjs: at the end of a run, the slowest test files with their
// wall time, so a CI log says where its minutes went (Node 20's spec reporter names no files).
// Each file's time is the runner's own measure of that file's child process, imports included.
import { relative } from 'node:path';

const shown = Number(process.env.STUDIO_TEST_SLOWEST ?? 15);

export default async function* fileTimes(source) {
  const times = new Map();
  for await (const event of source) {
    const data = event.data ?? {};
    // The runner reports each file as a test named by the file's path.
    if (event.type === 'test:complete' && data.file && data.name === data.file) {
      times.set(data.file, data.details?.duration_ms ?? 0);
    }
  }
  if (times.size === 0) return;
  const sorted = [...times].sort((a, b) => b[1] - a[1]);
  const total = sorted.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\nslowest test files (of ${times.size}, ${(total / 1000).toFixed(0)} s in all):\n`;
  for (const [file, ms] of sorted.slice(0, shown)) {
    yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), file)}\n`;
  }
}
