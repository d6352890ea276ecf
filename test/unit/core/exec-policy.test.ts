import {describe, expect, it} from 'vitest';
import {UserError} from '../../../src/core/diagnostic.js';
import {ALLOW_EXEC, execPolicy, requireExec} from '../../../src/core/exec-policy.js';

describe('the exec policy', () => {
  it('is off with --no-exec, whatever FT_NO_EXEC says', () => {
    expect(execPolicy(true, {})).toEqual({allowed: false, refusedBy: '--no-exec'});
    expect(execPolicy(true, {FT_NO_EXEC: '0'})).toEqual({allowed: false, refusedBy: '--no-exec'});
  });

  it('is off with FT_NO_EXEC set to anything but empty, 0, false, no or off', () => {
    for (const value of ['1', 'true', 'yes', 'TRUE', 'on', 'please']) {
      expect(execPolicy(false, {FT_NO_EXEC: value})).toEqual({
        allowed: false,
        refusedBy: `FT_NO_EXEC=${value}`,
      });
    }
    for (const value of ['', ' ', '0', 'false', 'False', 'no', 'off']) {
      expect([value, execPolicy(false, {FT_NO_EXEC: value}).allowed]).toEqual([value, true]);
    }
    expect(execPolicy(false, {})).toBe(ALLOW_EXEC);
  });

  it('lets requireExec through when allowed, and throws a no-exec user error when not', () => {
    expect(() => requireExec(ALLOW_EXEC, 'sources.r', 'a url source fetches x')).not.toThrow();
    let thrown: unknown;
    try {
      requireExec(execPolicy(true, {}), 'sources.r', 'a url source fetches x');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).diagnostics).toEqual([
      {
        code: 'no-exec',
        severity: 'error',
        message: 'sources.r: a url source fetches x (refused by --no-exec)',
      },
    ]);
  });
});
