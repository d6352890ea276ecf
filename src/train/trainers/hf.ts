import {fileURLToPath} from 'node:url';
import type {LocalBackend} from '../../recipe/recipe-types.js';
import {trainerArgv} from './command.js';

/** ft's hf trainer script, shipped in the package beside dist/. */
export const HF_TRAINER_SCRIPT = fileURLToPath(
  new URL('../../../trainers/hf_trainer.py', import.meta.url),
);

/**
 * What the transformers stack needs from ft's environment besides the base set: the model cache
 * (and whether to stay offline), the CUDA libraries, and what torchrun and NCCL read.
 */
export const HF_ENV = [
  'HF_HOME',
  'HF_HUB_CACHE',
  'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE',
  'LD_LIBRARY_PATH',
  'PYTORCH_CUDA_ALLOC_CONF',
  'MASTER_ADDR',
  'MASTER_PORT',
  'NCCL_DEBUG',
  'NCCL_SOCKET_IFNAME',
  'NCCL_P2P_DISABLE',
  'NCCL_IB_DISABLE',
];

/**
 * The hf trainer's command line: the recipe's `python` (default python3), through torchrun or
 * accelerate when `launcher` asks for several processes, then the script. `shown` is the same
 * line with the script by name only, so the key does not depend on where ft is installed.
 */
export function hfTrainerCommand(
  backend: LocalBackend,
  dir: string,
): {readonly argv: string[]; readonly shown: string[]; readonly python: string[]} {
  const python = trainerArgv([backend.python ?? 'python3'], dir);
  const launch: string[] = !backend.launcher
    ? []
    : backend.launcher.type === 'torchrun'
      ? ['-m', 'torch.distributed.run', `--nproc_per_node=${backend.launcher.nproc_per_node}`]
      : [
          '-m',
          'accelerate.commands.launch',
          '--num_processes',
          String(backend.launcher.nproc_per_node),
        ];
  return {
    argv: [...python, ...launch, HF_TRAINER_SCRIPT],
    shown: [backend.python ?? 'python3', ...launch, 'hf_trainer.py'],
    python,
  };
}
