import {bytePairEncode} from './bpe.js';
import {bmpClassTable} from './char-classes.js';
import type {EncodingSpec} from './encodings.js';
import {PieceCache} from './piece-cache.js';
import {nextPieceCl100k} from './pieces-cl100k.js';
import {nextPieceO200k} from './pieces-o200k.js';
import {toWellFormed} from './pretokenize.js';
import {TokenTable} from './token-table.js';
import type {Vocabulary} from './vocab.js';

/** Which special-token texts become special ids; anything else is ordinary text. */
export type AllowedSpecial = 'all' | readonly string[];

/** Finds the end of the piece starting at i in s[..end] (see pieces-*.ts). */
type PieceScanner = (s: string, i: number, end: number, table: Uint8Array) => number;

/** UTF-8 bytes of a piece as a binary string (ASCII pieces are already their own bytes). */
function utf8Binary(piece: string): string {
  for (let i = 0; i < piece.length; i++) {
    if (piece.charCodeAt(i) >= 0x80) return Buffer.from(piece, 'utf8').toString('latin1');
  }
  return piece;
}

const SCRATCH_INITIAL = 1024;
const SCRATCH_KEEP = 1 << 20;

/** Pieces longer than this are merged every time rather than cached (they rarely repeat). */
const MAX_CACHED_PIECE = 128;

/** One loaded encoding: splits text like tiktoken's CoreBPE and merges each piece. */
export class Encoder {
  /** Token text -> rank, for pieces that are whole tokens (most of them). */
  private readonly tokens: TokenTable;
  /** Token bytes (binary string) -> rank, for the byte-pair merge. */
  private readonly byteTokens: TokenTable;
  private readonly byteRank = new Int32Array(256);
  private readonly nextPiece: PieceScanner;
  private readonly classes: Uint8Array;
  private readonly cache = new PieceCache();
  /** Scratch buffer that encode() fills before copying out (see takeIds). */
  private ids: Int32Array = new Int32Array(SCRATCH_INITIAL);
  private used = 0;
  private readonly vocab: Vocabulary;
  private readonly specialIds: Map<string, number>;
  private readonly specialBytes: Map<number, Uint8Array>;
  private readonly specialRegexes = new Map<string, RegExp | null>();
  /** ignoreBOM: a leading U+FEFF is text and must survive decode. */
  private readonly decoder = new TextDecoder('utf-8', {ignoreBOM: true});

  constructor(
    readonly spec: EncodingSpec,
    vocab: Vocabulary,
  ) {
    this.vocab = vocab;
    this.tokens = TokenTable.ofText(vocab, spec.name);
    this.byteTokens = TokenTable.ofBytes(vocab, spec.name);
    for (let b = 0; b < 256; b++) {
      const rank = this.byteTokens.get(String.fromCharCode(b), 0, 1);
      // tiktoken's merge starts from single bytes, so every byte must be a token.
      if (rank < 0) throw new Error(`${spec.name}: byte ${b} has no token`);
      this.byteRank[b] = rank;
    }
    this.nextPiece = spec.name === 'cl100k_base' ? nextPieceCl100k : nextPieceO200k;
    this.classes = bmpClassTable();
    this.specialIds = new Map(Object.entries(spec.specialTokens));
    this.specialBytes = new Map(
      [...this.specialIds].map(([text, id]) => [id, new Uint8Array(Buffer.from(text, 'utf8'))]),
    );
  }

  /** Token ids of `text`; like tiktoken's encode(text, allowed_special=..., disallowed_special=()). */
  encode(text: string, allowedSpecial?: AllowedSpecial): number[] {
    const input = toWellFormed(text);
    const special = this.specialRegex(allowedSpecial);
    this.used = 0;
    if (special === null) {
      this.encodeSegment(input, 0, input.length);
    } else {
      let start = 0;
      special.lastIndex = 0;
      for (let m = special.exec(input); m !== null; m = special.exec(input)) {
        // tiktoken splits the text before a special token as a string of its own, so the scanner
        // must see the token's start as the end of input (this matters for `$` and `(?!\S)`).
        this.encodeSegment(input, start, m.index);
        this.append(this.specialIds.get(m[0])!);
        start = m.index + m[0].length;
      }
      this.encodeSegment(input, start, input.length);
    }
    return this.takeIds();
  }

  /** Same as encode(...).length without building the id array. */
  count(text: string, allowedSpecial?: AllowedSpecial): number {
    const input = toWellFormed(text);
    const special = this.specialRegex(allowedSpecial);
    if (special === null) return this.countSegment(input, 0, input.length);
    let total = 0;
    let start = 0;
    special.lastIndex = 0;
    for (let m = special.exec(input); m !== null; m = special.exec(input)) {
      total += this.countSegment(input, start, m.index) + 1;
      start = m.index + m[0].length;
    }
    return total + this.countSegment(input, start, input.length);
  }

  /** Concatenated bytes of token ids (tiktoken's decode_bytes); RangeError for unknown ids. */
  decodeBytes(ids: readonly number[]): Uint8Array {
    const {bytes, offsets, present, maxRank} = this.vocab;
    let total = 0;
    for (const id of ids) {
      if (Number.isInteger(id) && id >= 0 && id <= maxRank && present[id] === 1) {
        total += offsets[id + 1]! - offsets[id]!;
      } else {
        const special = this.specialBytes.get(id);
        if (special === undefined)
          throw new RangeError(`Token id ${id} is not in ${this.spec.name}`);
        total += special.length;
      }
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const id of ids) {
      const special = this.specialBytes.get(id);
      const part = special ?? bytes.subarray(offsets[id]!, offsets[id + 1]!);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Text of token ids; bytes that are not valid UTF-8 become U+FFFD (tiktoken: "replace"). */
  decode(ids: readonly number[]): string {
    return this.decoder.decode(this.decodeBytes(ids));
  }

  /** Encodes s[start..end], a stretch with no allowed special token inside, into `ids`. */
  private encodeSegment(s: string, start: number, end: number): void {
    const nextPiece = this.nextPiece;
    const classes = this.classes;
    const tokens = this.tokens;
    let ids = this.ids;
    let used = this.used;
    for (let i = start; i < end; ) {
      const j = nextPiece(s, i, end, classes);
      const rank = tokens.get(s, i, j);
      if (rank >= 0) {
        if (used === ids.length) ids = this.grow(used, 1);
        ids[used++] = rank;
      } else {
        const piece = s.slice(i, j);
        const merged = this.cache.get(piece) ?? this.mergePiece(piece);
        if (used + merged.length > ids.length) ids = this.grow(used, merged.length);
        for (let k = 0; k < merged.length; k++) ids[used++] = merged[k]!;
      }
      i = j;
    }
    this.used = used;
  }

  private append(id: number): void {
    if (this.used === this.ids.length) this.grow(this.used, 1);
    this.ids[this.used++] = id;
  }

  /** Doubles the scratch id buffer (keeping the first `used` ids) until `extra` more fit. */
  private grow(used: number, extra: number): Int32Array {
    let size = this.ids.length * 2;
    while (size < used + extra) size *= 2;
    const bigger = new Int32Array(size);
    bigger.set(this.ids.subarray(0, used));
    this.ids = bigger;
    return bigger;
  }

  /**
   * Copies the scratch ids into a fresh array. Filling a pre-sized array is several times faster
   * than push() for millions of ids (no repeated reallocation of the elements store).
   */
  private takeIds(): number[] {
    const used = this.used;
    const ids = this.ids;
    const out = new Array<number>(used);
    for (let i = 0; i < used; i++) out[i] = ids[i]!;
    // Keep a modest buffer for the next call; let a huge one go.
    if (ids.length > SCRATCH_KEEP) this.ids = new Int32Array(SCRATCH_INITIAL);
    return out;
  }

  private countSegment(s: string, start: number, end: number): number {
    const nextPiece = this.nextPiece;
    const classes = this.classes;
    const tokens = this.tokens;
    let total = 0;
    for (let i = start; i < end; ) {
      const j = nextPiece(s, i, end, classes);
      if (tokens.get(s, i, j) >= 0) {
        total++;
      } else {
        const piece = s.slice(i, j);
        total += (this.cache.get(piece) ?? this.mergePiece(piece)).length;
      }
      i = j;
    }
    return total;
  }

  /** Byte-pair merge of a piece that is not itself a token; caches short pieces. */
  private mergePiece(piece: string): number[] {
    const ids: number[] = [];
    bytePairEncode(utf8Binary(piece), this.byteTokens, this.byteRank, ids);
    if (piece.length <= MAX_CACHED_PIECE) this.cache.set(piece, ids);
    return ids;
  }

  /**
   * Regex finding the allowed special tokens (null when none are allowed). tiktoken skips special
   * matches that are not allowed and keeps searching from the next position, which is the same as
   * searching for the allowed ones only. Strings that are not special tokens of this encoding are
   * ignored, as in tiktoken. Longest first, so no token can shadow another that extends it.
   */
  private specialRegex(allowed: AllowedSpecial | undefined): RegExp | null {
    if (allowed === undefined || allowed.length === 0) return null;
    const key = allowed === 'all' ? '\u0000all' : allowed.join('\u0000');
    let re = this.specialRegexes.get(key);
    if (re === undefined) {
      const names = allowed === 'all' ? [...this.specialIds.keys()] : [...new Set(allowed)];
      const known = names
        .filter((name) => this.specialIds.has(name))
        .sort((a, b) => b.length - a.length)
        .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      re = known.length === 0 ? null : new RegExp(known.join('|'), 'g');
      if (this.specialRegexes.size >= 64) this.specialRegexes.clear();
      this.specialRegexes.set(key, re);
    }
    return re;
  }
}
