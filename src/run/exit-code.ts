/** ft's exit codes; the README documents them as a contract. */
export const EXIT = {
  ok: 0,
  buildFailed: 1,
  usage: 2,
  gateFailed: 3,
  interrupted: 130,
} as const;

/** When several apply, the most urgent wins: interrupted > bad input > failure > gate. */
const PRECEDENCE: readonly number[] = [
  EXIT.interrupted,
  EXIT.usage,
  EXIT.buildFailed,
  EXIT.gateFailed,
];

export function exitCodeOf(codes: readonly number[]): number {
  for (const code of PRECEDENCE) if (codes.includes(code)) return code;
  return EXIT.ok;
}
