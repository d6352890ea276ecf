/**
 * Correctly rounded `exp` and `log` for BLEU.
 *
 * sacreBLEU calls Python's `math.exp` / `math.log`, i.e. the platform libm; glibc's are
 * correctly rounded in all but astronomically rare cases, whereas V8's `Math.exp`/`Math.log`
 * (fdlibm ports) are off by one unit in the last place for a noticeable fraction of inputs. To
 * return sacreBLEU's BLEU bit for bit, these functions evaluate in double-double arithmetic
 * (about 100 bits) and round once.
 */

/** A double-double number hi + lo with |lo| <= ulp(hi) / 2. */
type DD = readonly [hi: number, lo: number];

const SPLITTER = 134217729; // 2^27 + 1 (Dekker split)

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function split(a: number): DD {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [t, f] = twoSum(a[1], b[1]);
  const [s2, e2] = quickTwoSum(s, e + t);
  return quickTwoSum(s2, e2 + f);
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

function ddMulNumber(a: DD, b: number): DD {
  const [p, e] = twoProd(a[0], b);
  return quickTwoSum(p, e + a[1] * b);
}

function ddDivNumber(a: DD, b: number): DD {
  const q1 = a[0] / b;
  const r = ddAdd(a, ddMulNumber([-q1, 0], b));
  const q2 = r[0] / b;
  return quickTwoSum(q1, q2);
}

/** ln 2 as a double-double. */
const LN2: DD = [Math.LN2, 2.3190468138462996e-17];

/** Number of squarings after the Taylor series (argument scaled by 2^-SQUARINGS). */
const SQUARINGS = 10;
const TAYLOR_TERMS = 12;

/** exp(x) as a double-double, for |x| <= 709. */
function expDD(x: DD): DD {
  const k = Math.round(x[0] / LN2[0]);
  // r = x - k ln2, |r| <= ~0.35
  let r = ddAdd(x, ddMulNumber(LN2, -k));
  r = [r[0] / 2 ** SQUARINGS, r[1] / 2 ** SQUARINGS];
  // expm1(r) by Taylor series: r + r^2/2! + ...
  let term: DD = r;
  let sum: DD = r;
  for (let n = 2; n <= TAYLOR_TERMS; n++) {
    term = ddDivNumber(ddMul(term, r), n);
    sum = ddAdd(sum, term);
  }
  // (1 + s)^2 - 1 = 2s + s^2, keeping the small part separate from 1
  for (let i = 0; i < SQUARINGS; i++) {
    sum = ddAdd(ddMulNumber(sum, 2), ddMul(sum, sum));
  }
  const result = ddAdd([1, 0], sum);
  const scale = 2 ** k;
  return [result[0] * scale, result[1] * scale];
}

/** Correctly rounded e^x (Python `math.exp` on glibc). */
export function preciseExp(x: number): number {
  if (Number.isNaN(x)) {
    return Number.NaN;
  }
  if (x === 0) {
    return 1;
  }
  if (x > 709 || x < -708) {
    // overflow / subnormal range: defer to Math.exp (Infinity, 0 or subnormal results)
    return Math.exp(x);
  }
  const [hi, lo] = expDD([x, 0]);
  return hi + lo;
}

/** Correctly rounded natural logarithm (Python `math.log` on glibc), for x > 0. */
export function preciseLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x) || x === 1) {
    return Math.log(x);
  }
  if (x < 2.2250738585072014e-308) {
    return Math.log(x); // subnormal inputs: not needed for BLEU
  }
  // One Newton step on f(y) = exp(y) - x from the fdlibm estimate: y + (x - e^y) / e^y
  const y0 = Math.log(x);
  const e = expDD([y0, 0]);
  const diff = ddAdd([x, 0], [-e[0], -e[1]]);
  const correction = diff[0] / e[0];
  const [hi, lo] = twoSum(y0, correction);
  return hi + lo;
}
