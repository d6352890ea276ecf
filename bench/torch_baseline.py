"""The training bench's baseline: what a user would reach for, PyTorch on the CPU, training the
same decoder-only transformer as ft's embedded trainer (token and position embeddings, pre-norm
blocks of causal nn.MultiheadAttention and a GELU MLP, a final LayerNorm, an output head tied to
the token embedding, AdamW) at the same batch, sequence length and thread count.

    python3 torch_baseline.py --layers 4 --width 128 --heads 4 --batch 8 --seq 128 --vocab 262 \
        --threads 2 --steps 20

Prints one JSON line: {"torch": version, "tokens_per_s", "peak_rss_mb", "threads", "steps"}.
"""
import argparse
import json
import resource
import time

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * width, width))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class Model(nn.Module):
    def __init__(self, vocab, width, layers, heads, seq):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(seq, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(width)

    def forward(self, ids, mask):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x, mask)
        return self.ln(x) @ self.tok.weight.T


def main():
    p = argparse.ArgumentParser()
    for name, default in [("layers", 4), ("width", 128), ("heads", 4), ("batch", 8), ("seq", 128),
                          ("vocab", 262), ("threads", 2), ("steps", 20), ("warmup", 3)]:
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a.vocab, a.width, a.layers, a.heads, a.seq)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    mask = torch.triu(torch.full((a.seq, a.seq), float("-inf")), diagonal=1)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq + 1))
    x, y = ids[:, :-1], ids[:, 1:]

    def step():
        logits = model(x, mask)
        loss = nn.functional.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({
        "torch": torch.__version__,
        "tokens_per_s": a.batch * a.seq * a.steps / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": a.threads,
        "steps": a.steps,
    }))


if __name__ == "__main__":
    main()
