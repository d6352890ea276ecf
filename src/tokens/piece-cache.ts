/**
 * Bounded piece -> token ids cache with approximate LRU eviction in O(1): two generations of
 * plain Maps. Hits in the old generation are promoted; when the young one fills up it becomes the
 * old one and the previous old one is dropped. Recently used pieces survive, the rest age out, and
 * memory stays below two generations. (A true LRU costs a delete + set per hit.)
 */
export class PieceCache {
  private young = new Map<string, number[]>();
  private old = new Map<string, number[]>();

  constructor(private readonly generationSize = 65_536) {}

  get(piece: string): number[] | undefined {
    const hit = this.young.get(piece);
    if (hit !== undefined) return hit;
    const aged = this.old.get(piece);
    if (aged !== undefined) this.set(piece, aged);
    return aged;
  }

  set(piece: string, ids: number[]): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(piece, ids);
  }
}
