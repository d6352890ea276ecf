// The embedded trainer's heavy kernels, in AssemblyScript, compiled to WebAssembly with 128-bit
// SIMD (see scripts/build-wasm.mjs). Determinism rules, kept everywhere below:
//   - f32 arithmetic only as separate, correctly rounded IEEE operations: f32x4.mul then
//     f32x4.add, never a fused multiply-add, never relaxed SIMD;
//   - every output element is summed in one fixed order that depends only on the shapes
//     (for the matrix products: the plain loop's order, init + term 0 + term 1 + ..., whether
//     the element falls in a SIMD tile or an edge; the causal variants skip terms the caller
//     guarantees are zero, how many depending on the tile, itself fixed by the shapes), never
//     on threads or on the machine;
//   - no Math.* transcendental: exp is a fixed polynomial built from + - * and floor.
// Results are the same on any CPU: WebAssembly fixes f32 rounding, keeps subnormals, and
// leaves only NaN bit patterns open, which never reach the weights of a finite run.
// All pointers are byte offsets into this module's memory; all arrays are row-major f32 with an
// explicit row stride (ld*, in elements). The module allocates nothing: the host lays memory out.

// ---------------------------------------------------------------- matrix products

/**
 * y[t, n] = init + sum over k ascending of x[t, k] * w[k, n], for t < T, n < N, k < K, where
 * init is bias[n] (bias != 0), else y[t, n] itself (acc != 0), else 0.
 * causal 1: rows t0..t0+R-1 of a row tile only compute columns n < min(N, t0 + R) (columns past
 * a row's own index are left for the caller to ignore). causal 2: they only sum k < min(K, t0+R)
 * (the caller guarantees x[t, k] = 0 for k > t). R is 4 for full row tiles, 1 for the last rows.
 */
export function mm(
  x: usize, ldx: i32, w: usize, ldw: i32, y: usize, ldy: i32,
  T: i32, K: i32, N: i32, bias: usize, acc: i32, causal: i32,
): void {
  let t = 0;
  for (; t + 4 <= T; t += 4) {
    const Nb = causal == 1 ? min(N, t + 4) : N;
    const Kb = causal == 2 ? min(K, t + 4) : K;
    rows4(x + <usize>(t * ldx) * 4, ldx, w, ldw, y + <usize>(t * ldy) * 4, ldy, Kb, Nb, bias, acc);
  }
  for (; t < T; t++) {
    const Nb = causal == 1 ? min(N, t + 1) : N;
    const Kb = causal == 2 ? min(K, t + 1) : K;
    rows1(x + <usize>(t * ldx) * 4, w, ldw, y + <usize>(t * ldy) * 4, Kb, Nb, bias, acc);
  }
}

@inline function init4(y: usize, n: i32, bias: usize, acc: i32): v128 {
  if (bias != 0) return v128.load(bias + <usize>n * 4);
  if (acc != 0) return v128.load(y + <usize>n * 4);
  return f32x4.splat(0);
}

@inline function init1(y: usize, n: i32, bias: usize, acc: i32): f32 {
  if (bias != 0) return load<f32>(bias + <usize>n * 4);
  if (acc != 0) return load<f32>(y + <usize>n * 4);
  return 0;
}

function rows4(
  x: usize, ldx: i32, w: usize, ldw: i32, y: usize, ldy: i32, K: i32, N: i32, bias: usize, acc: i32,
): void {
  const x0 = x;
  const x1 = x0 + <usize>ldx * 4;
  const x2 = x1 + <usize>ldx * 4;
  const x3 = x2 + <usize>ldx * 4;
  const y0 = y;
  const y1 = y0 + <usize>ldy * 4;
  const y2 = y1 + <usize>ldy * 4;
  const y3 = y2 + <usize>ldy * 4;
  const wstride = <usize>ldw * 4;
  let n = 0;
  for (; n + 8 <= N; n += 8) {
    let a00 = init4(y0, n, bias, acc);
    let a01 = init4(y0, n + 4, bias, acc);
    let a10 = init4(y1, n, bias, acc);
    let a11 = init4(y1, n + 4, bias, acc);
    let a20 = init4(y2, n, bias, acc);
    let a21 = init4(y2, n + 4, bias, acc);
    let a30 = init4(y3, n, bias, acc);
    let a31 = init4(y3, n + 4, bias, acc);
    let wp = w + <usize>n * 4;
    for (let k = 0; k < K; k++, wp += wstride) {
      const w0 = v128.load(wp);
      const w1 = v128.load(wp, 16);
      const kk = <usize>k * 4;
      let b = v128.load32_splat(x0 + kk);
      a00 = f32x4.add(a00, f32x4.mul(b, w0));
      a01 = f32x4.add(a01, f32x4.mul(b, w1));
      b = v128.load32_splat(x1 + kk);
      a10 = f32x4.add(a10, f32x4.mul(b, w0));
      a11 = f32x4.add(a11, f32x4.mul(b, w1));
      b = v128.load32_splat(x2 + kk);
      a20 = f32x4.add(a20, f32x4.mul(b, w0));
      a21 = f32x4.add(a21, f32x4.mul(b, w1));
      b = v128.load32_splat(x3 + kk);
      a30 = f32x4.add(a30, f32x4.mul(b, w0));
      a31 = f32x4.add(a31, f32x4.mul(b, w1));
    }
    const o = <usize>n * 4;
    v128.store(y0 + o, a00);
    v128.store(y0 + o, a01, 16);
    v128.store(y1 + o, a10);
    v128.store(y1 + o, a11, 16);
    v128.store(y2 + o, a20);
    v128.store(y2 + o, a21, 16);
    v128.store(y3 + o, a30);
    v128.store(y3 + o, a31, 16);
  }
  for (; n + 4 <= N; n += 4) {
    let a0 = init4(y0, n, bias, acc);
    let a1 = init4(y1, n, bias, acc);
    let a2 = init4(y2, n, bias, acc);
    let a3 = init4(y3, n, bias, acc);
    let wp = w + <usize>n * 4;
    for (let k = 0; k < K; k++, wp += wstride) {
      const w0 = v128.load(wp);
      const kk = <usize>k * 4;
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x0 + kk), w0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(x1 + kk), w0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(x2 + kk), w0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(x3 + kk), w0));
    }
    const o = <usize>n * 4;
    v128.store(y0 + o, a0);
    v128.store(y1 + o, a1);
    v128.store(y2 + o, a2);
    v128.store(y3 + o, a3);
  }
  for (; n < N; n++) {
    let s0 = init1(y0, n, bias, acc);
    let s1 = init1(y1, n, bias, acc);
    let s2 = init1(y2, n, bias, acc);
    let s3 = init1(y3, n, bias, acc);
    let wp = w + <usize>n * 4;
    for (let k = 0; k < K; k++, wp += wstride) {
      const wk = load<f32>(wp);
      const kk = <usize>k * 4;
      s0 = s0 + load<f32>(x0 + kk) * wk;
      s1 = s1 + load<f32>(x1 + kk) * wk;
      s2 = s2 + load<f32>(x2 + kk) * wk;
      s3 = s3 + load<f32>(x3 + kk) * wk;
    }
    const o = <usize>n * 4;
    store<f32>(y0 + o, s0);
    store<f32>(y1 + o, s1);
    store<f32>(y2 + o, s2);
    store<f32>(y3 + o, s3);
  }
}

function rows1(
  x: usize, w: usize, ldw: i32, y: usize, K: i32, N: i32, bias: usize, acc: i32,
): void {
  const wstride = <usize>ldw * 4;
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    let a = init4(y, n, bias, acc);
    let wp = w + <usize>n * 4;
    for (let k = 0; k < K; k++, wp += wstride) {
      a = f32x4.add(a, f32x4.mul(v128.load32_splat(x + <usize>k * 4), v128.load(wp)));
    }
    v128.store(y + <usize>n * 4, a);
  }
  for (; n < N; n++) {
    let s = init1(y, n, bias, acc);
    let wp = w + <usize>n * 4;
    for (let k = 0; k < K; k++, wp += wstride) s = s + load<f32>(x + <usize>k * 4) * load<f32>(wp);
    store<f32>(y + <usize>n * 4, s);
  }
}

/**
 * o[k, n] += sum over t ascending of x[t, k] * dy[t, n] (t < T, k < K, n < N): the weight
 * gradient x^T dy. causal != 0: a column tile k0..k0+R-1 starts at t = k0 (the caller
 * guarantees x[t, k] = 0 for k > t).
 */
export function mmTN(
  x: usize, ldx: i32, dy: usize, lddy: i32, o: usize, ldo: i32,
  T: i32, K: i32, N: i32, causal: i32,
): void {
  const xs = <usize>ldx * 4;
  const ds = <usize>lddy * 4;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const t0 = causal != 0 ? k : 0;
    const o0 = o + <usize>(k * ldo) * 4;
    const o1 = o0 + <usize>ldo * 4;
    const o2 = o1 + <usize>ldo * 4;
    const o3 = o2 + <usize>ldo * 4;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      const on = <usize>n * 4;
      let a00 = v128.load(o0 + on);
      let a01 = v128.load(o0 + on, 16);
      let a10 = v128.load(o1 + on);
      let a11 = v128.load(o1 + on, 16);
      let a20 = v128.load(o2 + on);
      let a21 = v128.load(o2 + on, 16);
      let a30 = v128.load(o3 + on);
      let a31 = v128.load(o3 + on, 16);
      let xp = x + <usize>t0 * xs + <usize>k * 4;
      let dp = dy + <usize>t0 * ds + on;
      for (let t = t0; t < T; t++, xp += xs, dp += ds) {
        const d0 = v128.load(dp);
        const d1 = v128.load(dp, 16);
        let b = v128.load32_splat(xp);
        a00 = f32x4.add(a00, f32x4.mul(b, d0));
        a01 = f32x4.add(a01, f32x4.mul(b, d1));
        b = v128.load32_splat(xp, 4);
        a10 = f32x4.add(a10, f32x4.mul(b, d0));
        a11 = f32x4.add(a11, f32x4.mul(b, d1));
        b = v128.load32_splat(xp, 8);
        a20 = f32x4.add(a20, f32x4.mul(b, d0));
        a21 = f32x4.add(a21, f32x4.mul(b, d1));
        b = v128.load32_splat(xp, 12);
        a30 = f32x4.add(a30, f32x4.mul(b, d0));
        a31 = f32x4.add(a31, f32x4.mul(b, d1));
      }
      v128.store(o0 + on, a00);
      v128.store(o0 + on, a01, 16);
      v128.store(o1 + on, a10);
      v128.store(o1 + on, a11, 16);
      v128.store(o2 + on, a20);
      v128.store(o2 + on, a21, 16);
      v128.store(o3 + on, a30);
      v128.store(o3 + on, a31, 16);
    }
    for (; n + 4 <= N; n += 4) {
      const on = <usize>n * 4;
      let a0 = v128.load(o0 + on);
      let a1 = v128.load(o1 + on);
      let a2 = v128.load(o2 + on);
      let a3 = v128.load(o3 + on);
      let xp = x + <usize>t0 * xs + <usize>k * 4;
      let dp = dy + <usize>t0 * ds + on;
      for (let t = t0; t < T; t++, xp += xs, dp += ds) {
        const d0 = v128.load(dp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), d0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp, 12), d0));
      }
      v128.store(o0 + on, a0);
      v128.store(o1 + on, a1);
      v128.store(o2 + on, a2);
      v128.store(o3 + on, a3);
    }
    for (; n < N; n++) {
      for (let r = 0; r < 4; r++) mmTN1(x, xs, dy, ds, o, ldo, T, k + r, n, t0);
    }
  }
  for (; k < K; k++) {
    const t0 = causal != 0 ? k : 0;
    for (let n = 0; n < N; n++) mmTN1(x, xs, dy, ds, o, ldo, T, k, n, t0);
  }
}

@inline function mmTN1(
  x: usize, xs: usize, dy: usize, ds: usize, o: usize, ldo: i32, T: i32, k: i32, n: i32, t0: i32,
): void {
  const op = o + <usize>(k * ldo + n) * 4;
  let s = load<f32>(op);
  for (let t = t0; t < T; t++) {
    s = s + load<f32>(x + <usize>t * xs + <usize>k * 4) * load<f32>(dy + <usize>t * ds + <usize>n * 4);
  }
  store<f32>(op, s);
}

/** o[n] += sum over t ascending of dy[t, n]: a bias gradient. */
export function colSum(dy: usize, lddy: i32, o: usize, T: i32, N: i32): void {
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    let a = v128.load(o + <usize>n * 4);
    for (let t = 0; t < T; t++) a = f32x4.add(a, v128.load(dy + <usize>(t * lddy + n) * 4));
    v128.store(o + <usize>n * 4, a);
  }
  for (; n < N; n++) {
    let s = load<f32>(o + <usize>n * 4);
    for (let t = 0; t < T; t++) s = s + load<f32>(dy + <usize>(t * lddy + n) * 4);
    store<f32>(o + <usize>n * 4, s);
  }
}

/** dst[c, r] = src[r, c] for r < R, c < C. */
export function transpose(src: usize, lds: i32, R: i32, C: i32, dst: usize, ldd: i32): void {
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store<f32>(dst + <usize>(c * ldd + r) * 4, load<f32>(src + <usize>(r * lds + c) * 4));
    }
  }
}

/** out[i] = a[i] + b[i]. */
export function add(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

// ---------------------------------------------------------------- elementwise functions

// e^x for f32, lane by lane (Cephes expf): x clamped to [-80, 80], x = k ln2 + r with ln2 split
// so k * LN2_HI is exact, a degree-7 polynomial, and 2^k built from the exponent bits. Every
// scalar use goes through the same vector code (lane 0), so a value's result never depends on
// where it sits.
const LOG2E: f32 = <f32>Math.LOG2E;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

@inline function exp4(v: v128): v128 {
  const x = f32x4.min(f32x4.max(v, f32x4.splat(-80)), f32x4.splat(80));
  const k = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(y, e);
}

/** e^x (the same bits as exp4's lanes). */
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** exp over n values in place (exported for the tests). */
export function expInPlace(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + <usize>i * 4, exp4(v128.load(p + <usize>i * 4)));
  for (; i < n; i++) store<f32>(p + <usize>i * 4, exp1(load<f32>(p + <usize>i * 4)));
}

// GELU, tanh form written tanh-free: x * sigmoid(2u), u = C (x + A x^3).
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;

@inline function gelu4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_A), x3)));
  const e = exp4(f32x4.mul(f32x4.splat(-2), u));
  return f32x4.div(x, f32x4.add(f32x4.splat(1), e));
}

@inline function geluGrad4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(
    f32x4.splat(GELU_C),
    f32x4.add(x, f32x4.mul(f32x4.mul(f32x4.splat(GELU_A), x2), x)),
  );
  const one = f32x4.splat(1);
  const s = f32x4.div(one, f32x4.add(one, exp4(f32x4.mul(f32x4.splat(-2), u))));
  // s + x s (1 - s) 2C (1 + 3A x^2)
  const k = f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_A), x2));
  const t = f32x4.mul(f32x4.mul(f32x4.mul(x, s), f32x4.sub(one, s)), f32x4.splat(2 * GELU_C));
  return f32x4.add(s, f32x4.mul(t, k));
}

/** y = gelu(x) over n values. */
export function geluForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, gelu4(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) {
    store<f32>(y + <usize>i * 4, f32x4.extract_lane(gelu4(v128.load32_splat(x + <usize>i * 4)), 0));
  }
}

/** dx = dy * gelu'(x) over n values. */
export function geluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), geluGrad4(v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const g = f32x4.extract_lane(geluGrad4(v128.load32_splat(x + o)), 0);
    store<f32>(dx + o, load<f32>(dy + o) * g);
  }
}

// ---------------------------------------------------------------- layer norm

/** y = gain * (x - mean) / sqrt(var + eps) + bias over rows of d; keeps mean and rstd per row. */
export function layerNormForward(
  x: usize, T: i32, d: i32, gain: usize, bias: usize, y: usize, mean: usize, rstd: usize,
): void {
  const df = <f32>d;
  for (let t = 0; t < T; t++) {
    const o = x + <usize>(t * d) * 4;
    const yo = y + <usize>(t * d) * 4;
    let s: f32 = 0;
    for (let c = 0; c < d; c++) s = s + load<f32>(o + <usize>c * 4);
    const m = s / df;
    let v: f32 = 0;
    for (let c = 0; c < d; c++) {
      const u = load<f32>(o + <usize>c * 4) - m;
      v = v + u * u;
    }
    const r: f32 = <f32>1 / Mathf.sqrt(v / df + <f32>1e-5);
    store<f32>(mean + <usize>t * 4, m);
    store<f32>(rstd + <usize>t * 4, r);
    for (let c = 0; c < d; c++) {
      const cc = <usize>c * 4;
      store<f32>(yo + cc, (load<f32>(o + cc) - m) * r * load<f32>(gain + cc) + load<f32>(bias + cc));
    }
  }
}

/** Backward of layerNormForward: ADDS into dx; gGain, gBias += (rows ascending). */
export function layerNormBackward(
  x: usize, dy: usize, T: i32, d: i32, gain: usize, mean: usize, rstd: usize,
  dx: usize, gGain: usize, gBias: usize,
): void {
  const df = <f32>d;
  for (let t = 0; t < T; t++) {
    const o = <usize>(t * d) * 4;
    const m = load<f32>(mean + <usize>t * 4);
    const r = load<f32>(rstd + <usize>t * 4);
    let sumD: f32 = 0;
    let sumDX: f32 = 0;
    for (let c = 0; c < d; c++) {
      const cc = <usize>c * 4;
      const xhat = (load<f32>(x + o + cc) - m) * r;
      const dyc = load<f32>(dy + o + cc);
      const dxhat = dyc * load<f32>(gain + cc);
      store<f32>(gGain + cc, load<f32>(gGain + cc) + dyc * xhat);
      store<f32>(gBias + cc, load<f32>(gBias + cc) + dyc);
      sumD = sumD + dxhat;
      sumDX = sumDX + dxhat * xhat;
    }
    const meanD = sumD / df;
    const meanDX = sumDX / df;
    for (let c = 0; c < d; c++) {
      const cc = <usize>c * 4;
      const xhat = (load<f32>(x + o + cc) - m) * r;
      const v = r * (load<f32>(dy + o + cc) * load<f32>(gain + cc) - meanD - xhat * meanDX);
      store<f32>(dx + o + cc, load<f32>(dx + o + cc) + v);
    }
  }
}

// ---------------------------------------------------------------- softmaxes

/**
 * Causal attention softmax over a [T, T] score matrix s (row stride T), in place: row i becomes
 * softmax(scale * s[i, 0..i]) followed by zeros.
 */
export function attnSoftmax(s: usize, T: i32, scale: f32): void {
  for (let i = 0; i < T; i++) {
    const row = s + <usize>(i * T) * 4;
    let max: f32 = -Infinity;
    for (let j = 0; j <= i; j++) {
      const v = load<f32>(row + <usize>j * 4) * scale;
      store<f32>(row + <usize>j * 4, v);
      max = v > max ? v : max;
    }
    const sum = expShifted(row, i + 1, max);
    const inv: f32 = <f32>1 / sum;
    for (let j = 0; j <= i; j++) store<f32>(row + <usize>j * 4, load<f32>(row + <usize>j * 4) * inv);
    for (let j = i + 1; j < T; j++) store<f32>(row + <usize>j * 4, 0);
  }
}

/** p[j] = exp(p[j] - max) for j < n; returns their sum, j ascending. */
function expShifted(p: usize, n: i32, max: f32): f32 {
  const m = f32x4.splat(max);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = p + <usize>j * 4;
    v128.store(o, exp4(f32x4.sub(v128.load(o), m)));
  }
  for (; j < n; j++) {
    const o = p + <usize>j * 4;
    store<f32>(o, exp1(load<f32>(o) - max));
  }
  let sum: f32 = 0;
  for (let k = 0; k < n; k++) sum = sum + load<f32>(p + <usize>k * 4);
  return sum;
}

/**
 * Backward of attnSoftmax given the probabilities p and dp = dL/dp (both [T, T]): dp becomes
 * dL/ds (including the scale), zero past the diagonal.
 */
export function attnSoftmaxBackward(p: usize, dp: usize, T: i32, scale: f32): void {
  for (let i = 0; i < T; i++) {
    const pr = p + <usize>(i * T) * 4;
    const dr = dp + <usize>(i * T) * 4;
    let dot: f32 = 0;
    for (let j = 0; j <= i; j++) dot = dot + load<f32>(pr + <usize>j * 4) * load<f32>(dr + <usize>j * 4);
    for (let j = 0; j <= i; j++) {
      const o = <usize>j * 4;
      store<f32>(dr + o, load<f32>(pr + o) * (load<f32>(dr + o) - dot) * scale);
    }
    for (let j = i + 1; j < T; j++) store<f32>(dr + <usize>j * 4, 0);
  }
}

/**
 * The output head's softmax over logits [T, V]: for each row t with trained[t] != 0 (i32 flags),
 * stats[2t] = sum of exp(logit - max) and stats[2t + 1] = logit[target] - max (the host takes
 * log(sum) - that as the loss); with scale != 0 the row becomes dL/dlogits = (softmax - onehot)
 * * scale. Untrained rows become zeros.
 */
export function headSoftmax(
  logits: usize, T: i32, V: i32, targets: usize, trained: usize, scale: f32, stats: usize,
): void {
  for (let t = 0; t < T; t++) {
    const row = logits + <usize>(t * V) * 4;
    if (load<i32>(trained + <usize>t * 4) == 0) {
      memory.fill(row, 0, <usize>V * 4);
      store<f32>(stats + <usize>t * 8, 0);
      store<f32>(stats + <usize>t * 8, 0, 4);
      continue;
    }
    let max: f32 = -Infinity;
    for (let v = 0; v < V; v++) {
      const l = load<f32>(row + <usize>v * 4);
      max = l > max ? l : max;
    }
    const target = load<i32>(targets + <usize>t * 4);
    const z = load<f32>(row + <usize>target * 4) - max;
    const sum = expShifted(row, V, max);
    store<f32>(stats + <usize>t * 8, sum);
    store<f32>(stats + <usize>t * 8, z, 4);
    if (scale == 0) continue;
    const inv: f32 = <f32>1 / sum;
    for (let v = 0; v < V; v++) {
      const o = row + <usize>v * 4;
      const q = load<f32>(o) * inv;
      store<f32>(o, (v == target ? q - 1 : q) * scale);
    }
  }
}
