/**
 * Elementary functions built from + - * / and Math.sqrt only. Those are correctly rounded by
 * IEEE 754 on every engine and CPU; Math.exp/log/cos/tanh/pow are not (V8 may use different
 * implementations by platform or version), and the trainer promises byte-identical weights
 * anywhere. Each function is range reduction plus a fixed polynomial, accurate to a few ulps of
 * f64, far beyond what f32 weights need. Deterministic is the contract; accurate is the bonus.
 */

/** 2^k for k in [-1074, 1023], exact (powers of two are representable down to the subnormals). */
const POW2_OFFSET = 1074;
const POW2 = (() => {
  const table = new Float64Array(1074 + 1024);
  let p = 1;
  for (let k = 0; k <= 1023; k++) {
    table[k + POW2_OFFSET] = p;
    p *= 2;
  }
  p = 1;
  for (let k = 0; k >= -1074; k--) {
    table[k + POW2_OFFSET] = p;
    p /= 2;
  }
  return table;
})();

// ln 2 split so that k * LN2_HI is exact for |k| < 2^11 (fdlibm's constants).
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;

/** e^x. Overflows to Infinity above ~709.78 and underflows to 0 below ~-745.13. */
export function exp(x: number): number {
  if (!(x <= 709.782712893384)) return Number.isNaN(x) ? Number.NaN : Number.POSITIVE_INFINITY;
  if (x < -745.1332191019412) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| <= ~0.347
  // Taylor to r^12: the truncation error is below 2e-16 relative on |r| <= 0.347.
  let p = 1 / 479001600;
  p = 1 / 39916800 + r * p;
  p = 1 / 3628800 + r * p;
  p = 1 / 362880 + r * p;
  p = 1 / 40320 + r * p;
  p = 1 / 5040 + r * p;
  p = 1 / 720 + r * p;
  p = 1 / 120 + r * p;
  p = 1 / 24 + r * p;
  p = 1 / 6 + r * p;
  p = 1 / 2 + r * p;
  p = 1 + r * p;
  p = 1 + r * p;
  if (k < -1000) return p * POW2[k + 200 + POW2_OFFSET]! * POW2[-200 + POW2_OFFSET]!;
  return p * POW2[k + POW2_OFFSET]!;
}

const bits = new DataView(new ArrayBuffer(8));
const SQRT2 = Math.SQRT2;

/** Natural logarithm: NaN below 0, -Infinity at 0. */
export function log(x: number): number {
  if (!(x > 0)) return x === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: subnormals become normal
    e = -54;
  }
  bits.setFloat64(0, x, true);
  const hi = bits.getUint32(4, true);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  bits.setUint32(4, (hi & 0x000fffff) | 0x3ff00000, true);
  let m = bits.getFloat64(0, true); // x = m * 2^e, m in [1, 2)
  if (m > SQRT2) {
    m /= 2;
    e += 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the odd series to s^21.
  const s = (m - 1) / (m + 1);
  const z = s * s;
  let series = 1 / 21;
  for (let n = 19; n >= 1; n -= 2) series = 1 / n + z * series;
  return e * LN2_HI + (e * LN2_LO + 2 * s * series);
}

// pi/2 in three parts (fdlibm): k * PIO2_1 is exact for |k| < 2^20.
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_3 = 2.0222662487959506e-21;
const INV_PIO2 = 2 / Math.PI;

/** cos(r) for |r| <= pi/4 (Taylor to r^18). */
function cosKernel(r: number): number {
  const z = r * r;
  // 1 - z/2! + z^2/4! - ... + z^9/18!, Horner from the top.
  let c = 1 / 6402373705728000;
  for (let n = 16; n >= 2; n -= 2) c = 1 / factorial(n) - z * c;
  return 1 - z * c;
}

/** sin(r) for |r| <= pi/4 (Taylor to r^19). */
function sinKernel(r: number): number {
  const z = r * r;
  let c = 1 / 121645100408832000;
  for (let n = 17; n >= 3; n -= 2) c = 1 / factorial(n) - z * c;
  return r * (1 - z * c);
}

/** n! as a double: exact for n <= 18, correctly rounded products beyond. */
function factorial(n: number): number {
  return FACTORIALS[n]!;
}

const FACTORIALS = (() => {
  const f = [1];
  for (let n = 1; n <= 20; n++) f.push(f[n - 1]! * n);
  return f;
})();

/** cos(x) for |x| < 2^19 * pi (more is never needed here); NaN outside. */
export function cos(x: number): number {
  if (!(Math.abs(x) < 1647099)) return Number.NaN;
  const k = Math.floor(x * INV_PIO2 + 0.5);
  const r = x - k * PIO2_1 - k * PIO2_2 - k * PIO2_3;
  switch (k & 3) {
    case 0:
      return cosKernel(r);
    case 1:
      return -sinKernel(r);
    case 2:
      return -cosKernel(r);
    default:
      return sinKernel(r);
  }
}

/** base^n for an integer n >= 0 by binary exponentiation (a fixed sequence of products). */
export function powInt(base: number, n: number): number {
  let result = 1;
  let b = base;
  let e = n;
  while (e > 0) {
    if (e & 1) result *= b;
    b *= b;
    e = Math.floor(e / 2);
  }
  return result;
}

/** sqrt(2 / pi), the GELU constant, computed once from correctly rounded operations. */
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation, written tanh-free: 0.5 x (1 + tanh(u)) = x * sigmoid(2u) with
 * u = c (x + a x^3). Returns the activation; geluGrad gives its derivative.
 */
export function gelu(x: number): number {
  const u = GELU_C * (x + GELU_A * x * x * x);
  return x / (1 + exp(-2 * u));
}

/** d gelu(x) / dx. */
export function geluGrad(x: number): number {
  const x2 = x * x;
  const u = GELU_C * (x + GELU_A * x2 * x);
  const s = 1 / (1 + exp(-2 * u));
  return s + x * s * (1 - s) * 2 * GELU_C * (1 + 3 * GELU_A * x2);
}
