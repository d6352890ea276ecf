/**
 * The Luhn checksum (ISO/IEC 7812) of a string of ASCII digits: every payment card number passes
 * it and 9 in 10 random digit strings fail it, which is what keeps card redaction off order
 * numbers, ids and other long numbers.
 */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}
