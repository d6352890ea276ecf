import {readFileSync, writeFileSync} from 'node:fs';
import type {GenerateSpec, TrainerEvent} from '../protocol.js';
import {freshConfig, type ModelConfig, readConfig} from './config.js';
import {layerNormForward, linearForward} from './layers.js';
import {initParams, type Layout, layout} from './model.js';
import {readWeights} from './model-folder.js';
import {exp, gelu} from './numerics.js';
import {Rng} from './rng.js';
import {baseModelFolder} from './spec.js';
import {type ChatMessage, decode, renderPrompt, TOKEN} from './tokenizer.js';

/** The seed of an untrained embedded:tiny in generate (its spec carries no training seed). */
export const UNTRAINED_SEED = 0;
export const DEFAULT_MAX_TOKENS = 256;

/** A model ready to decode: weights and a KV cache for one sequence. */
export class Decoder {
  readonly lay: Layout;
  private readonly p: Float32Array;
  private readonly keys: Float64Array[];
  private readonly values: Float64Array[];
  private readonly x: Float64Array;
  private readonly h: Float64Array;
  private readonly qkv: Float64Array;
  private readonly att: Float64Array;
  private readonly tmp: Float64Array;
  private readonly fc: Float64Array;
  private readonly scores: Float64Array;
  private readonly stat: Float64Array;
  readonly logits: Float64Array;
  /** How many tokens the cache holds. */
  length = 0;

  constructor(lay: Layout, p: Float32Array) {
    const {n_ctx: T, d_model: d, d_ff: f, n_layer: L, vocab_size: V} = lay.config;
    this.lay = lay;
    this.p = p;
    this.keys = Array.from({length: L}, () => new Float64Array(T * d));
    this.values = Array.from({length: L}, () => new Float64Array(T * d));
    this.x = new Float64Array(d);
    this.h = new Float64Array(d);
    this.qkv = new Float64Array(3 * d);
    this.att = new Float64Array(d);
    this.tmp = new Float64Array(d);
    this.fc = new Float64Array(f);
    this.scores = new Float64Array(T);
    this.stat = new Float64Array(2);
    this.logits = new Float64Array(V);
  }

  /** Feeds one token at the next position; fills `logits` with the next token's. */
  feed(token: number): void {
    const {lay, p, x, h, qkv, att, tmp, fc, stat, scores} = this;
    const {d_model: d, d_ff: f, n_head: H, n_layer: L, vocab_size: V} = lay.config;
    const pos = this.length;
    if (pos >= lay.config.n_ctx) throw new Error('the context is full');
    for (let c = 0; c < d; c++) x[c] = p[lay.wte + token * d + c]! + p[lay.wpe + pos * d + c]!;
    const hd = d / H;
    const scale = 1 / Math.sqrt(hd);
    const mean = stat.subarray(0, 1);
    const rstd = stat.subarray(1, 2);
    for (let l = 0; l < L; l++) {
      const o = lay.blocks[l]!;
      const K = this.keys[l]!;
      const Vc = this.values[l]!;
      layerNormForward(x, 1, d, p, o.ln1g, o.ln1b, h, mean, rstd);
      linearForward(h, 1, d, p, o.wqkv, o.bqkv, 3 * d, qkv);
      for (let c = 0; c < d; c++) {
        K[pos * d + c] = qkv[d + c]!;
        Vc[pos * d + c] = qkv[2 * d + c]!;
      }
      // The same arithmetic as the f64 reference's attentionForward row `pos` (the trainer's own
      // forward pass runs in f32 WebAssembly; decoding keeps the f64 JS kernels).
      att.fill(0);
      for (let hh = 0; hh < H; hh++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j <= pos; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += qkv[hh * hd + c]! * K[j * d + hh * hd + c]!;
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j <= pos; j++) {
          const e = exp(scores[j]! - max);
          scores[j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j <= pos; j++) {
          const pj = scores[j]! * inv;
          for (let c = 0; c < hd; c++)
            att[hh * hd + c] = att[hh * hd + c]! + pj * Vc[j * d + hh * hd + c]!;
        }
      }
      linearForward(att, 1, d, p, o.wo, o.bo, d, tmp);
      for (let c = 0; c < d; c++) x[c] = tmp[c]! + x[c]!;
      layerNormForward(x, 1, d, p, o.ln2g, o.ln2b, h, mean, rstd);
      linearForward(h, 1, d, p, o.wfc, o.bfc, f, fc);
      for (let i = 0; i < f; i++) fc[i] = gelu(fc[i]!);
      linearForward(fc, 1, f, p, o.wproj, o.bproj, d, tmp);
      for (let c = 0; c < d; c++) x[c] = tmp[c]! + x[c]!;
    }
    layerNormForward(x, 1, d, p, lay.lnfg, lay.lnfb, h, mean, rstd);
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += h[c]! * p[lay.wte + v * d + c]!;
      this.logits[v] = s;
    }
    this.length = pos + 1;
  }
}

/**
 * Continues a prompt: greedy at temperature 0, else samples from softmax(logits / temperature)
 * with `rng`. Stops after end-of-turn, after maxTokens, or when the context is full. A prompt
 * longer than the context keeps its last n_ctx tokens.
 */
export function complete(
  dec: Decoder,
  prompt: readonly number[],
  maxTokens: number,
  temperature: number,
  rng: Rng,
): string {
  const n = dec.lay.config.n_ctx;
  dec.length = 0;
  for (const t of prompt.slice(Math.max(0, prompt.length - n))) dec.feed(t);
  const out: number[] = [];
  const V = dec.lay.config.vocab_size;
  for (;;) {
    const logits = dec.logits;
    let next = 0;
    if (temperature <= 0) {
      for (let v = 1; v < V; v++) if (logits[v]! > logits[next]!) next = v;
    } else {
      let max = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < V; v++) if (logits[v]! > max) max = logits[v]!;
      let sum = 0;
      const w = new Float64Array(V);
      for (let v = 0; v < V; v++) {
        w[v] = exp((logits[v]! - max) / temperature);
        sum += w[v]!;
      }
      let u = rng.uniform() * sum;
      next = V - 1;
      for (let v = 0; v < V; v++) {
        u -= w[v]!;
        if (u < 0) {
          next = v;
          break;
        }
      }
    }
    if (next === TOKEN.end_of_turn) break;
    out.push(next);
    if (out.length >= maxTokens || dec.length >= n) break;
    dec.feed(next);
  }
  return decode(out);
}

/** Loads the model a generate spec names: the trained one, or the base. */
export function loadModel(spec: GenerateSpec): {lay: Layout; params: Float32Array} {
  const folder = spec.artifacts?.model ?? baseModelFolder(spec.base_model);
  const config: ModelConfig = folder === null ? freshConfig(undefined) : readConfig(folder);
  const lay = layout(config);
  const params = new Float32Array(lay.size);
  if (folder === null) initParams(lay, UNTRAINED_SEED, params);
  else readWeights(folder, lay, params);
  return {lay, params};
}

/** Answers every input of a generate spec, writing `output` and emitting progress. */
export function generate(spec: GenerateSpec, emit: (e: TrainerEvent) => void): void {
  const {lay, params} = loadModel(spec);
  const dec = new Decoder(lay, params);
  const maxTokens = spec.params?.max_tokens ?? DEFAULT_MAX_TOKENS;
  const temperature = spec.params?.temperature ?? 0;
  const seed = spec.params?.seed ?? 0;
  const samples = spec.params?.samples;
  let text: string;
  try {
    text = readFileSync(spec.inputs, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${spec.inputs}: ${(e as Error).message}`);
  }
  const inputs = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as {id: unknown; messages: ChatMessage[]};
      } catch {
        throw new Error(`${spec.inputs}:${i + 1} is not JSON`);
      }
    });
  const lines: string[] = [];
  inputs.forEach((input, i) => {
    if (!Array.isArray(input.messages))
      throw new Error(`${spec.inputs}: input ${i + 1} has no "messages" list`);
    const prompt = renderPrompt(input.messages);
    const answers: string[] = [];
    for (let s = 0; s < (samples ?? 1); s++) {
      answers.push(
        complete(dec, prompt, maxTokens, temperature, new Rng(seed, 'sample', i * 65536 + s)),
      );
    }
    lines.push(
      JSON.stringify({id: input.id, output: samples === undefined ? answers[0] : answers}),
    );
    emit({type: 'progress', done: i + 1, total: inputs.length});
  });
  writeFileSync(spec.output, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  emit({type: 'done'});
}
