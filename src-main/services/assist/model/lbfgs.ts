// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line
// search: enough for a smooth, strongly convex loss such as a regularised softmax. Between
// iterations it gives the event loop a turn, so a cancel is heard (in the assistant's fitting
// thread, a message from the main process) and a newer fit can stop it.

export interface LbfgsOptions {
  maxIterations?: number;
  /** Stop when the largest gradient component falls below this. */
  gradientTolerance?: number;
  /** Or when the loss improves by less than this, relative to its size. */
  relativeTolerance?: number;
  memory?: number;
  signal?: AbortSignal;
}

export interface LbfgsResult {
  loss: number;
  iterations: number;
  converged: boolean;
}

type Objective = (theta: Float64Array, grad: Float64Array) => number;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** The two-loop recursion: -H g from the stored (s, y) pairs, newest last. */
function direction(g: Float64Array, s: Float64Array[], y: Float64Array[]): Float64Array {
  const q = Float64Array.from(g);
  const alpha: number[] = [];
  for (let i = s.length - 1; i >= 0; i--) {
    const a = dot(s[i]!, q) / dot(y[i]!, s[i]!);
    alpha[i] = a;
    for (let j = 0; j < q.length; j++) q[j]! -= a * y[i]![j]!;
  }
  const last = s.length - 1;
  const gamma =
    last >= 0 ? dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!) : 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
  for (let j = 0; j < q.length; j++) q[j]! *= gamma;
  for (let i = 0; i < s.length; i++) {
    const b = dot(y[i]!, q) / dot(y[i]!, s[i]!);
    for (let j = 0; j < q.length; j++) q[j]! += s[i]![j]! * (alpha[i]! - b);
  }
  for (let j = 0; j < q.length; j++) q[j] = -q[j]!;
  return q;
}

async function turn(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
}

/** Minimises `f` from `theta` (changed in place). */
export async function lbfgs(f: Objective, theta: Float64Array, opts: LbfgsOptions = {}): Promise<LbfgsResult> {
  const maxIter = opts.maxIterations ?? 200;
  const gtol = opts.gradientTolerance ?? 1e-5;
  const rtol = opts.relativeTolerance ?? 1e-9;
  const m = opts.memory ?? 8;
  let g = new Float64Array(theta.length);
  let loss = f(theta, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const next = new Float64Array(theta.length);
  let g2 = new Float64Array(theta.length);
  for (let it = 0; it < maxIter; it++) {
    if (maxAbs(g) < gtol) return { loss, iterations: it, converged: true };
    await turn(opts.signal);
    let p = direction(g, s, y);
    let slope = dot(g, p);
    if (slope >= 0) {
      // Curvature pairs gone stale: restart from steepest descent.
      s.length = y.length = 0;
      p = direction(g, s, y);
      slope = dot(g, p);
    }
    let step = 1;
    let nextLoss = Infinity;
    for (let tries = 0; tries < 30; tries++, step *= 0.5) {
      for (let i = 0; i < theta.length; i++) next[i] = theta[i]! + step * p[i]!;
      nextLoss = f(next, g2);
      if (nextLoss <= loss + 1e-4 * step * slope) break;
    }
    if (!(nextLoss < loss)) return { loss, iterations: it, converged: true };
    const sNew = new Float64Array(theta.length);
    const yNew = new Float64Array(theta.length);
    for (let i = 0; i < theta.length; i++) {
      sNew[i] = next[i]! - theta[i]!;
      yNew[i] = g2[i]! - g[i]!;
    }
    if (dot(sNew, yNew) > 1e-12) {
      s.push(sNew);
      y.push(yNew);
      if (s.length > m) {
        s.shift();
        y.shift();
      }
    }
    theta.set(next);
    [g, g2] = [g2, g];
    const improved = loss - nextLoss;
    loss = nextLoss;
    if (improved <= rtol * Math.max(1, Math.abs(loss))) return { loss, iterations: it + 1, converged: true };
  }
  return { loss, iterations: maxIter, converged: maxAbs(g) < gtol };
}
