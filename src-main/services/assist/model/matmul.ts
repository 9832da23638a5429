// The two dense products the assistant's PCA and softmax need, in plain loops
// blocked 2 rows x 4 outputs: each value loaded feeds four or eight multiply-adds, which
// V8 turns into about three times the throughput of one dot product at a time (10,000 x
// 1280 x 128: 3.4 s against 11 s on this machine under load). Weights and sums are kept in
// double precision: the fit's line search compares losses that differ in the 7th digit.

/**
 * out[i * si + c * sc] = x[rows[i]] . w[c] for every listed row i and each of the l rows of w
 * (d values each): rows of data times the transpose of a weight block.
 */
export function timesTransposed(
  x: Float32Array,
  d: number,
  rows: Int32Array,
  w: Float64Array,
  l: number,
  out: Float64Array,
  si: number,
  sc: number,
): void {
  const m = rows.length;
  for (let i = 0; i < m; i += 2) {
    const a = rows[i]! * d;
    const pair = i + 1 < m;
    const b = pair ? rows[i + 1]! * d : a;
    let c = 0;
    for (; c + 3 < l; c += 4) {
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0; // prettier-ignore
      for (let j = 0; j < d; j++) {
        const v = x[a + j]!;
        const u = x[b + j]!;
        const w0 = w[o0 + j]!;
        const w1 = w[o1 + j]!;
        const w2 = w[o2 + j]!;
        const w3 = w[o3 + j]!;
        s0 += v * w0;
        s1 += v * w1;
        s2 += v * w2;
        s3 += v * w3;
        t0 += u * w0;
        t1 += u * w1;
        t2 += u * w2;
        t3 += u * w3;
      }
      const p = i * si + c * sc;
      out[p] = s0;
      out[p + sc] = s1;
      out[p + 2 * sc] = s2;
      out[p + 3 * sc] = s3;
      if (pair) {
        const q = p + si;
        out[q] = t0;
        out[q + sc] = t1;
        out[q + 2 * sc] = t2;
        out[q + 3 * sc] = t3;
      }
    }
    for (; c < l; c++) {
      let s = 0;
      let t = 0;
      for (let j = 0; j < d; j++) {
        s += x[a + j]! * w[c * d + j]!;
        t += x[b + j]! * w[c * d + j]!;
      }
      out[i * si + c * sc] = s;
      if (pair) out[(i + 1) * si + c * sc] = t;
    }
  }
}

/**
 * The same in single precision throughout, for the PCA's large products, where the
 * precision does not matter and the loads of half the bytes do (a separate function: one
 * typed-array kind per access keeps V8's loads monomorphic).
 * out[i * si + c * sc] = x[rows[i]] . w[c] for every listed row i and each of the l rows of w
 * (d values each): rows of data times the transpose of a weight block.
 */
export function timesTransposed32(
  x: Float32Array,
  d: number,
  rows: Int32Array,
  w: Float32Array,
  l: number,
  out: Float32Array,
  si: number,
  sc: number,
): void {
  const m = rows.length;
  for (let i = 0; i < m; i += 2) {
    const a = rows[i]! * d;
    const pair = i + 1 < m;
    const b = pair ? rows[i + 1]! * d : a;
    let c = 0;
    for (; c + 3 < l; c += 4) {
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0; // prettier-ignore
      for (let j = 0; j < d; j++) {
        const v = x[a + j]!;
        const u = x[b + j]!;
        const w0 = w[o0 + j]!;
        const w1 = w[o1 + j]!;
        const w2 = w[o2 + j]!;
        const w3 = w[o3 + j]!;
        s0 += v * w0;
        s1 += v * w1;
        s2 += v * w2;
        s3 += v * w3;
        t0 += u * w0;
        t1 += u * w1;
        t2 += u * w2;
        t3 += u * w3;
      }
      const p = i * si + c * sc;
      out[p] = s0;
      out[p + sc] = s1;
      out[p + 2 * sc] = s2;
      out[p + 3 * sc] = s3;
      if (pair) {
        const q = p + si;
        out[q] = t0;
        out[q + sc] = t1;
        out[q + 2 * sc] = t2;
        out[q + 3 * sc] = t3;
      }
    }
    for (; c < l; c++) {
      let s = 0;
      let t = 0;
      for (let j = 0; j < d; j++) {
        s += x[a + j]! * w[c * d + j]!;
        t += x[b + j]! * w[c * d + j]!;
      }
      out[i * si + c * sc] = s;
      if (pair) out[(i + 1) * si + c * sc] = t;
    }
  }
}

/** w[c] += sum over listed rows i of q[c * qm + i] * x[rows[i]]: l rows of d, the transpose product. */
export function transposedTimes(
  x: Float32Array,
  d: number,
  rows: Int32Array,
  q: Float64Array,
  qm: number,
  l: number,
  w: Float64Array,
): void {
  const m = rows.length;
  for (let i = 0; i < m; i++) {
    const a = rows[i]! * d;
    let c = 0;
    for (; c + 3 < l; c += 4) {
      const q0 = q[c * qm + i]!;
      const q1 = q[(c + 1) * qm + i]!;
      const q2 = q[(c + 2) * qm + i]!;
      const q3 = q[(c + 3) * qm + i]!;
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      for (let j = 0; j < d; j++) {
        const v = x[a + j]!;
        w[o0 + j]! += q0 * v;
        w[o1 + j]! += q1 * v;
        w[o2 + j]! += q2 * v;
        w[o3 + j]! += q3 * v;
      }
    }
    for (; c < l; c++) {
      const qc = q[c * qm + i]!;
      for (let j = 0; j < d; j++) w[c * d + j]! += qc * x[a + j]!;
    }
  }
}

/** transposedTimes in single precision, for the PCA. w[c] += sum over listed rows i of q[c * qm + i] * x[rows[i]]: l rows of d, the transpose product. */
export function transposedTimes32(
  x: Float32Array,
  d: number,
  rows: Int32Array,
  q: Float32Array,
  qm: number,
  l: number,
  w: Float32Array,
): void {
  const m = rows.length;
  for (let i = 0; i < m; i++) {
    const a = rows[i]! * d;
    let c = 0;
    for (; c + 3 < l; c += 4) {
      const q0 = q[c * qm + i]!;
      const q1 = q[(c + 1) * qm + i]!;
      const q2 = q[(c + 2) * qm + i]!;
      const q3 = q[(c + 3) * qm + i]!;
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      for (let j = 0; j < d; j++) {
        const v = x[a + j]!;
        w[o0 + j]! += q0 * v;
        w[o1 + j]! += q1 * v;
        w[o2 + j]! += q2 * v;
        w[o3 + j]! += q3 * v;
      }
    }
    for (; c < l; c++) {
      const qc = q[c * qm + i]!;
      for (let j = 0; j < d; j++) w[c * d + j]! += qc * x[a + j]!;
    }
  }
}
