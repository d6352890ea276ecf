// Tokenizer throughput: ft's encode vs js-tiktoken and gpt-tokenizer, side by side in one run.
// Usage: npx tsc -p tsconfig.build.json && node bench/tokens.bench.mjs [--mb 20]
// Single-threaded JS, so it measures one core. Exit code 1 if ft misses the target or disagrees
// with both baselines on the main text.

import {cpus} from 'node:os';
import {encode as gptCl100k} from 'gpt-tokenizer/encoding/cl100k_base';
import {encode as gptO200k} from 'gpt-tokenizer/encoding/o200k_base';
import {getEncoding} from 'js-tiktoken';
import {countTokens, encode} from '../dist/tokens/index.js';

const TARGET_TOKENS_PER_S = 1_500_000;
const mbArg = process.argv.indexOf('--mb');
const TARGET_BYTES = (mbArg > 0 ? Number(process.argv[mbArg + 1]) : 20) * 1_000_000;

// --- deterministic text generation -------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for test data; fixed seed => identical text every run. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = prng(20240601);
const int = (n) => Math.floor(rnd() * n);
const pick = (list) => list[int(list.length)];
/** Zipf-like pick: low indexes are much more frequent, like words in real text. */
const zipf = (list) => list[Math.floor(list.length * rnd() ** 3)];

const COMMON = (
  'the of and to a in is it you that he was for on are with as I his they be at one have this ' +
  'from or had by word but what some we can out other were all there when up use your how said ' +
  'an each she which do their time if will way about many then them write would like so these ' +
  'her long make thing see him two has look more day could go come did number sound no most ' +
  'people my over know water than call first who may down side been now find any new work part ' +
  'take get place made live where after back little only round man year came show every good me ' +
  'give our under name very through just form sentence great think say help low line differ turn ' +
  'cause much mean before move right boy old too same tell does set three want air well also play'
).split(' ');
const CONTRACTIONS = [
  "don't",
  "it's",
  "we'll",
  "I'm",
  "they've",
  "you're",
  "he'd",
  "can't",
  "IT'S",
];
const SYLLABLES =
  'ka ra mi to su ne lo vi da pe qu ti on er an in st re al ou th ch sh pl gr br tr'.split(' ');
const makeWord = (syl, n) => Array.from({length: n}, () => pick(syl)).join('');
const RARE = Array.from({length: 3000}, () => makeWord(SYLLABLES, 2 + int(4)));
const CYR = 'ка ро ми то су не ло ви да пе ти он ер ан ин ст ре ал пр зд ны ой ая ие'.split(' ');
const CYR_WORDS = Array.from({length: 1500}, () => makeWord(CYR, 1 + int(4)));
const ARA = 'ال مد ين كت اب سل ام عل يك من في هو هي لا ما رب شم س'.split(' ');
const ARA_WORDS = Array.from({length: 1200}, () => makeWord(ARA, 1 + int(3)));
const HAN = Array.from({length: 1500}, () => String.fromCharCode(0x4e00 + int(0x2000)));
const KANA = Array.from({length: 80}, (_, i) => String.fromCharCode(0x3041 + i));
const EMOJI = [
  '😀',
  '😂',
  '👍',
  '🎉',
  '🚀',
  '🌍',
  '❤️',
  '🔥',
  '✨',
  '🤔',
  '👨‍👩‍👧',
  '🇺🇸',
  '🇯🇵',
  '👋🏽',
  '🧑‍💻',
];
const IDENTS = Array.from({length: 400}, () => {
  const a = makeWord(SYLLABLES, 1 + int(2));
  const b = makeWord(SYLLABLES, 1 + int(2));
  return pick([
    `${a}${b[0].toUpperCase()}${b.slice(1)}`,
    `${a}_${b}`,
    a,
    `${a.toUpperCase()}_${b.toUpperCase()}`,
  ]);
});

function englishParagraph() {
  const sentences = [];
  for (let s = 0, n = 2 + int(6); s < n; s++) {
    const words = [];
    for (let w = 0, m = 5 + int(18); w < m; w++) {
      const r = rnd();
      words.push(r < 0.75 ? zipf(COMMON) : r < 0.95 ? zipf(RARE) : pick(CONTRACTIONS));
      if (rnd() < 0.08) words[words.length - 1] += pick([',', ';', ':', ' -', ' (see', '"']);
    }
    const first = words[0];
    words[0] = first[0].toUpperCase() + first.slice(1);
    sentences.push(words.join(' ') + pick(['.', '.', '.', '?', '!', '...']));
  }
  return sentences.join(pick([' ', ' ', '  '])) + pick(['\n\n', '\n', '\r\n\r\n']);
}

function codeBlock() {
  const lines = [];
  let depth = 0;
  for (let l = 0, n = 4 + int(20); l < n; l++) {
    const ind = pick(['  ', '    ', '\t']).repeat(depth);
    const a = zipf(IDENTS);
    const b = zipf(IDENTS);
    const r = rnd();
    if (r < 0.2 && depth < 4) {
      lines.push(
        `${ind}${pick(['if', 'for', 'while', 'function'])} (${a} ${pick(['<', '===', '!=', '>='])} ${int(1000)}) {`,
      );
      depth++;
    } else if (r < 0.35 && depth > 0) {
      depth--;
      lines.push(`${'    '.repeat(depth)}}`);
    } else if (r < 0.6) {
      lines.push(`${ind}const ${a} = ${b}.${zipf(IDENTS)}(${int(100)}, "${zipf(RARE)}");`);
    } else if (r < 0.75) {
      lines.push(`${ind}// ${englishParagraph().trim().slice(0, 60)}`);
    } else {
      lines.push(
        `${ind}${a}[${int(64)}] += ${b} * ${(rnd() * 100).toFixed(3)}; ${pick(['', '  ', '   '])}`,
      );
    }
  }
  while (depth-- > 0) lines.push('}');
  return `${lines.join(pick(['\n', '\n', '\r\n']))}\n\n`;
}

function numbers() {
  const parts = [];
  for (let i = 0, n = 5 + int(20); i < n; i++) {
    parts.push(
      pick([
        () => String(int(1e9)),
        () => (rnd() * 1e4).toFixed(2),
        () => `${2000 + int(30)}-${1 + int(12)}-${1 + int(28)}`,
        () => `v${int(10)}.${int(20)}.${int(100)}`,
        () => `+1 (${100 + int(900)}) ${100 + int(900)}-${1000 + int(9000)}`,
        () => `${int(100)}%`,
      ])(),
    );
  }
  return `${parts.join(pick([' | ', ', ', '\t', '  ']))}\n`;
}

function cjk() {
  let s = '';
  for (let i = 0, n = 10 + int(60); i < n; i++) {
    s += rnd() < 0.7 ? zipf(HAN) : pick(KANA);
    if (rnd() < 0.08) s += pick(['，', '。', '、', '「', '」', '？']);
  }
  return `${s}。\n`;
}

const words = (list, n) => Array.from({length: n}, () => zipf(list)).join(' ');
const cyrillic = () => `${words(CYR_WORDS, 6 + int(20))}. ${pick(['', '— ', '«', '»'])}\n`;
const arabic = () => `${words(ARA_WORDS, 5 + int(15))}، ${words(ARA_WORDS, 3)}.\n`;
const emoji = () => `${Array.from({length: 1 + int(6)}, () => pick(EMOJI)).join(pick(['', ' ']))} `;
const whitespace = () => pick(['\n\n\n', '    \n', '\t\t', '        ', ' \n \n', '\r\n', '   \t ']);

const KINDS = [
  [englishParagraph, 50],
  [codeBlock, 18],
  [numbers, 6],
  [cjk, 8],
  [cyrillic, 6],
  [arabic, 4],
  [emoji, 4],
  [whitespace, 4],
];
const TOTAL_WEIGHT = KINDS.reduce((s, [, w]) => s + w, 0);

function mixedText(bytes) {
  const chunks = [];
  let size = 0;
  while (size < bytes) {
    let r = rnd() * TOTAL_WEIGHT;
    let gen = KINDS[0][0];
    for (const [g, w] of KINDS) {
      r -= w;
      if (r < 0) {
        gen = g;
        break;
      }
    }
    const chunk = gen();
    chunks.push(chunk);
    size += Buffer.byteLength(chunk);
  }
  return chunks.join('');
}

/**
 * Text where the baselines go wrong (reported, not gated): js-tiktoken and gpt-tokenizer use JS `\s`,
 * which lacks U+0085 (test vector " \u00850") and has U+FEFF, unlike tiktoken's Rust regex.
 */
function edgeText() {
  const bits = [
    '\u0085',
    '\ufeff',
    "'ſ",
    ' \u0085\u0085 ',
    'x\ufeff y',
    '<|endoftext|>',
    '\u2028',
    '\u00a0\u00a0',
  ];
  const out = [];
  for (let i = 0; i < 4000; i++) out.push(englishParagraph().slice(0, 40), pick(bits));
  return out.join('');
}

// --- measurement -------------------------------------------------------------------------------

function time(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return {result, seconds: Number(process.hrtime.bigint() - start) / 1e9};
}

const fmt = (n) => `${(n / 1e6).toFixed(2)}M tok/s`;
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

const genStart = process.hrtime.bigint();
const text = mixedText(TARGET_BYTES);
const edge = edgeText();
console.log(`node ${process.version} on ${cpus()[0]?.model ?? 'unknown CPU'} (one thread)`);
console.log(
  `text: ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB, ${text.length} UTF-16 units ` +
    `(generated in ${(Number(process.hrtime.bigint() - genStart) / 1e9).toFixed(1)}s, seed fixed)`,
);

const warm = text.slice(0, 100_000);
let failed = false;
for (const name of ['cl100k_base', 'o200k_base']) {
  const jst = getEncoding(name);
  const gpt = name === 'cl100k_base' ? gptCl100k : gptO200k;
  const impls = {
    ft: (t) => encode(t, name),
    'js-tiktoken': (t) => jst.encode(t, [], []),
    'gpt-tokenizer': (t) => gpt(t, {disallowedSpecial: new Set()}),
  };
  const load = time(() => encode('x', name));
  // Warm-up: loads vocabularies and lets the JIT settle, on a prefix only.
  for (const fn of Object.values(impls)) fn(warm);

  console.log(
    `\n${name} (ft first use: ${(load.seconds * 1000).toFixed(0)} ms to verify and load)`,
  );
  const runs = {};
  for (const [impl, fn] of Object.entries(impls)) {
    const {result, seconds} = time(() => fn(text));
    runs[impl] = {ids: result, rate: result.length / seconds, seconds};
    console.log(
      `  ${impl.padEnd(14)} ${fmt(result.length / seconds).padStart(15)}  ` +
        `${result.length} tokens in ${seconds.toFixed(2)}s`,
    );
  }
  const ft = runs.ft;
  const counted = time(() => countTokens(text, name));
  console.log(
    `  ${'ft countTokens'.padEnd(14)} ${fmt(counted.result / counted.seconds).padStart(15)}  ` +
      `${counted.result} tokens in ${counted.seconds.toFixed(2)}s`,
  );
  if (counted.result !== ft.ids.length) {
    console.log('  countTokens disagrees with encode(...).length');
    failed = true;
  }
  let agreeing = 0;
  for (const base of ['js-tiktoken', 'gpt-tokenizer']) {
    const b = runs[base];
    const agree = same(ft.ids, b.ids);
    if (agree) agreeing++;
    console.log(
      `  ft vs ${base.padEnd(13)} speed ratio ${(ft.rate / b.rate).toFixed(2)}x; ` +
        `counts ${ft.ids.length === b.ids.length ? 'agree' : `differ (${ft.ids.length} vs ${b.ids.length})`}` +
        `, ids ${agree ? 'identical' : 'differ'}`,
    );
    const edgeAgree = same(encode(edge, name), impls[base](edge));
    console.log(
      `    edge text (U+0085, U+FEFF, 'ſ, special-token text): ${base} ` +
        (edgeAgree ? 'agrees' : 'differs (tiktoken treats U+0085 as \\s and U+FEFF as not)'),
    );
  }
  if (agreeing === 0) failed = true;
  const pass = ft.rate >= TARGET_TOKENS_PER_S;
  if (!pass) failed = true;
  console.log(
    `  ${pass ? 'PASS' : 'FAIL'}: ft ${fmt(ft.rate)} vs target ${fmt(TARGET_TOKENS_PER_S)}`,
  );
}
process.exitCode = failed ? 1 : 0;
