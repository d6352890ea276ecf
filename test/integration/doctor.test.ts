import {chmodSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ft, project} from '../helpers/ft.js';

describe('ft doctor', () => {
  it('reports a real interpreter and, for each missing package, the command that fixes it', async () => {
    const dir = await project({});
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = await ft(dir, ['doctor', '--python', python, '--json']);
    const report = JSON.parse(r.stdout) as {
      ready: boolean;
      checks: {name: string; ok: boolean; found: string; fix?: string; optional?: boolean}[];
    };
    expect(report.checks.map((c) => c.name)).toEqual([
      'python',
      'torch',
      'transformers',
      'peft',
      'accelerate',
      'bitsandbytes',
      'cuda',
    ]);
    expect(report.checks[0]).toMatchObject({name: 'python', ok: true});
    expect(report.checks[0]!.found).toMatch(/^3\.\d+\.\d+ /);
    for (const c of report.checks) {
      if (!c.ok) expect(c.fix, c.name).toBeTruthy();
      if (!c.ok && c.name !== 'cuda') expect(c.fix).toContain(`${python} -m pip install ${c.name}`);
    }
    expect(r.exitCode).toBe(report.ready ? 0 : 1);
  });

  it('says ready, with the GPUs, when everything is there', async () => {
    const dir = await project({
      // An interpreter that answers the probe as a GPU machine's would.
      python: `#!/bin/sh
echo '{"python": "3.11.9", "packages": {"torch": "2.4.0", "transformers": "4.44.0", "peft": "0.12.0", "accelerate": "0.33.0", "bitsandbytes": null}, "cuda": "12.1", "devices": ["NVIDIA H100 80GB HBM3"]}'
`,
    });
    chmodSync(join(dir, 'python'), 0o755);
    const r = await ft(dir, ['doctor', '--python', join(dir, 'python')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('ok       torch         2.4.0');
    expect(r.stdout).toContain('ok       cuda          CUDA 12.1: 0: NVIDIA H100 80GB HBM3');
    expect(r.stdout).toContain('absent   bitsandbytes  not installed');
    expect(r.stdout).toContain('local training with the hf trainer has what it needs');
  });

  it('an interpreter that cannot run is the one missing piece, with how to get one', async () => {
    const dir = await project({});
    const r = await ft(dir, ['doctor', '--python', join(dir, 'no-python')]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^MISSING {2}python {2}\S+no-python cannot be run: .*ENOENT/m);
    expect(r.stdout).toContain('fix: install Python 3.9 or later');
  });
});
