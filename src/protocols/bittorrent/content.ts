/**
 * The content model: the file's geometry (pieces of `pieceLength`, blocks of `blockSize`) and what
 * stands in for its bytes. Hashing megabytes per piece in a simulation of 10^4 peers is pointless, so
 * a block's content is a 32-bit token derived from (torrent, piece, block); a piece's digest mixes its
 * blocks' tokens, and a peer compares the digest of what it received with the one the metainfo
 * promised. A corrupt peer's tokens differ, so the check catches it exactly as SHA-1 would. The real
 * SHA-1 path is metainfo.ts.
 */
import { hash32 } from '../../core/index.js';

export class Content {
  readonly pieces: number;
  readonly blocksPerPiece: number;
  readonly totalBlocks: number;
  /** 32-bit words of a have-bitset (one bit per piece). */
  readonly words: number;
  /** The digest each piece must have (what the metainfo promised). */
  readonly pieceDigest: Uint32Array;

  constructor(
    readonly fileSize: number,
    readonly pieceLength: number,
    readonly blockSize: number,
    /** Torrent identity: the tokens of another torrent differ. */
    readonly infoToken: number,
  ) {
    if (!(fileSize >= 1) || !(pieceLength >= 1) || !(blockSize >= 1)) throw new RangeError('Swarm: sizes must be >= 1');
    this.pieces = Math.ceil(fileSize / pieceLength);
    this.blocksPerPiece = Math.ceil(pieceLength / blockSize);
    if (this.blocksPerPiece > 65535) throw new RangeError('Swarm: too many blocks per piece');
    if (this.pieces > 65535) throw new RangeError('Swarm: more than 65535 pieces');
    this.totalBlocks = this.pieces * this.blocksPerPiece;
    this.words = (this.pieces + 31) >>> 5;
    this.pieceDigest = new Uint32Array(this.pieces);
    for (let p = 0; p < this.pieces; p++) this.pieceDigest[p] = this.digestOf(p, (b) => this.goodToken(p, b));
  }

  pieceBytes(piece: number): number {
    return piece === this.pieces - 1 ? this.fileSize - piece * this.pieceLength : this.pieceLength;
  }

  blocksIn(piece: number): number {
    return Math.ceil(this.pieceBytes(piece) / this.blockSize);
  }

  blockBytes(piece: number, block: number): number {
    const pb = this.pieceBytes(piece);
    return Math.min(this.blockSize, pb - block * this.blockSize);
  }

  /** The content of a block, as its 32-bit token. */
  goodToken(piece: number, block: number): number {
    return hash32(this.infoToken, piece * 65536 + block);
  }

  /** The digest contribution of block `id` (global block id) with content `tok`: blocks arrive in any
   * order, so a piece's digest is the XOR of its blocks' contributions. */
  blockDigest(tok: number, id: number): number {
    return hash32(tok >>> 0, id);
  }

  private digestOf(piece: number, tokenOf: (b: number) => number): number {
    let h = 0;
    const n = this.blocksIn(piece);
    for (let b = 0; b < n; b++) h = (h ^ this.blockDigest(tokenOf(b), piece * this.blocksPerPiece + b)) >>> 0;
    return h;
  }
}
