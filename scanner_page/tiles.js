// The log read through C2SP tlog-tiles (c2sp.org/tlog-tiles) in the browser: the hashes a consistency proof
// needs, from static, cacheable tiles (/log/tile/<L>/<N>[.p/<W>]) that a CDN can serve, instead of a proof
// computed by the server. The proof is then checked as any other (verify.js, RFC 9162 section 2.1.4.2): a
// tile that lies gives a proof that does not verify, so tiles are trusted no more than the JSON endpoint.
//
// A tile at level L holds up to 256 hashes at tree height 8L: hash i of tile N is the Merkle Tree Hash of
// leaves [(N*256 + i) * 256^L, (N*256 + i + 1) * 256^L). A complete, aligned subtree of height h is read
// from the level floor(h/8) tile holding its 2^(h mod 8) descendants there, and hashed up. Only tiles of the
// tree being proved are read, each once per proof.

import { nodeHash } from "./verify.js";

const HEIGHT = 8;
const WIDTH = 256;

/** The canonical tile path below the log's prefix: 1234067 -> "x001/x234/067", with ".p/<W>" if partial. */
export function tilePath(level, index, width = WIDTH) {
  let digits = String(index).padStart(3, "0");
  while (digits.length % 3) digits = "0" + digits;
  const parts = digits.match(/.../g);
  const name = parts.map((p, i) => (i < parts.length - 1 ? "x" + p : p)).join("/");
  return `tile/${level}/${name}${width < WIDTH ? `.p/${width}` : ""}`;
}

/** Hashes of the tree of `size` entries from tiles fetched by `fetchTile(path) -> Promise<Uint8Array>`. */
export class TileReader {
  constructor(size, fetchTile) {
    this.size = size;
    this.fetchTile = fetchTile;
    this.tiles = new Map();
  }

  async tile(level, index) {
    const complete = Math.floor(this.size / WIDTH ** level); // hashes of height 8*level in the tree
    const width = Math.min(WIDTH, complete - index * WIDTH);
    if (width <= 0) throw new Error(`tile ${level}/${index} is beyond the tree of ${this.size}`);
    const path = tilePath(level, index, width);
    if (!this.tiles.has(path)) {
      this.tiles.set(path, (async () => {
        const data = await this.fetchTile(path);
        if (!(data instanceof Uint8Array) || data.length !== width * 32) throw new Error(`${path}: ${data?.length} bytes, not ${width * 32}`);
        return data;
      })());
    }
    return this.tiles.get(path);
  }

  /** The hash of the complete subtree of height `height` whose leftmost leaf is `start` (aligned). */
  async subtree(height, start) {
    const level = Math.floor(height / HEIGHT);
    const span = WIDTH ** level;
    const first = start / span; // its first descendant at height 8*level
    const count = 2 ** (height - level * HEIGHT);
    const data = await this.tile(level, Math.floor(first / WIDTH));
    let hashes = [];
    for (let i = first % WIDTH; i < first % WIDTH + count; i++) hashes.push(data.subarray(i * 32, i * 32 + 32));
    while (hashes.length > 1) {
      const next = [];
      for (let i = 0; i < hashes.length; i += 2) next.push(await nodeHash(hashes[i], hashes[i + 1]));
      hashes = next;
    }
    return hashes[0];
  }

  /** MTH(D[lo:hi]) (RFC 9162 section 2.1.1), from the complete subtrees that make it up. */
  async range(lo, hi) {
    const n = hi - lo;
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.subtree(Math.log2(n), lo);
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(await this.range(lo, lo + k), await this.range(lo + k, hi));
  }

  /** The RFC 9162 consistency proof from size `m` to this tree's size (section 2.1.4.1, SUBPROOF). */
  async consistencyProof(m) {
    const n = this.size;
    if (!(Number.isSafeInteger(m) && 0 < m && m <= n)) throw new Error(`no consistency proof from ${m} to ${n}`);
    const proof = [];
    const sub = async (m1, lo, hi, complete) => {
      const size = hi - lo;
      if (m1 === size) {
        if (!complete) proof.push(await this.range(lo, hi));
        return;
      }
      let k = 1;
      while (k * 2 < size) k *= 2;
      if (m1 <= k) {
        await sub(m1, lo, lo + k, complete);
        proof.push(await this.range(lo + k, hi));
      } else {
        await sub(m1 - k, lo + k, hi, false);
        proof.push(await this.range(lo, lo + k));
      }
    };
    if (m < n) await sub(m, 0, n, true);
    return proof;
  }
}
