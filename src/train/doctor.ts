import {execa} from 'execa';

/** One thing local training needs, as `ft doctor` found it. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What was found (a version, a device list), or why it is missing. */
  readonly found: string;
  /** The command that fixes it, when it is missing. */
  readonly fix?: string;
  /** Not needed by every trainer: QLoRA's bitsandbytes, several GPUs' accelerate. */
  readonly optional?: true;
}

/** Run by the interpreter: one JSON line of what it can import, never an exception. */
const PROBE = `
import importlib, json, sys
out = {"python": sys.version.split()[0], "packages": {}}
for name in ("torch", "transformers", "peft", "accelerate", "bitsandbytes"):
    try:
        module = importlib.import_module(name)
        out["packages"][name] = getattr(module, "__version__", "unknown")
    except Exception as e:
        out["packages"][name] = None
try:
    import torch
    out["cuda"] = torch.version.cuda
    out["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
except Exception:
    out["cuda"] = None
    out["devices"] = []
print(json.dumps(out))
`;

/**
 * What the hf trainer needs from `python` (a venv's interpreter, or python3 on PATH), each with
 * the command that fixes it. Runs the interpreter once; nothing is installed or changed.
 */
export async function checkLocalTraining(python: string): Promise<Check[]> {
  const r = await execa(python, ['-c', PROBE], {reject: false, timeout: 120_000});
  const line = String(r.stdout ?? '')
    .split('\n')
    .find((l) => l.startsWith('{'));
  if (r.exitCode !== 0 || line === undefined) {
    const why =
      r.exitCode === undefined
        ? r.originalMessage || r.shortMessage
        : String(r.stderr).trim().split('\n').at(-1);
    return [
      {
        name: 'python',
        ok: false,
        found: `${python} cannot be run: ${why ?? 'no output'}`,
        fix: 'install Python 3.9 or later (apt-get install python3 python3-venv), then: python3 -m venv .venv and set backend.python: .venv/bin/python',
      },
    ];
  }
  const found = JSON.parse(line) as {
    python: string;
    packages: Record<string, string | null>;
    cuda: string | null;
    devices: string[];
  };
  const pip = `${python} -m pip install`;
  const pkg = (name: string, fix: string, optional = false): Check => {
    const version = found.packages[name];
    return {
      name,
      ok: version !== null && version !== undefined,
      found: version ?? 'not installed',
      ...(version ? {} : {fix}),
      ...(optional ? {optional: true as const} : {}),
    };
  };
  return [
    {name: 'python', ok: true, found: `${found.python} (${python})`},
    pkg(
      'torch',
      `${pip} torch  (for CUDA, the command pytorch.org/get-started gives for your driver)`,
    ),
    pkg('transformers', `${pip} transformers`),
    pkg('peft', `${pip} peft`),
    pkg('accelerate', `${pip} accelerate  (needed for launcher: accelerate)`, true),
    pkg('bitsandbytes', `${pip} bitsandbytes  (needed only for QLoRA)`, true),
    {
      name: 'cuda',
      ok: found.devices.length > 0,
      found:
        found.devices.length > 0
          ? `CUDA ${found.cuda}: ${found.devices.map((d, i) => `${i}: ${d}`).join(', ')}`
          : found.packages.torch
            ? `no CUDA device visible to torch (CUDA build: ${found.cuda ?? 'none'})`
            : 'unknown without torch',
      ...(found.devices.length > 0
        ? {}
        : {
            fix: 'training on the CPU works but is slow; on a GPU machine install the NVIDIA driver and a CUDA build of torch, and check CUDA_VISIBLE_DEVICES',
          }),
      optional: true,
    },
  ];
}
