// scanner_page/tiles.js: consistency proofs read through C2SP tlog-tiles, against the RFC 6962 vectors of
// transparency-dev/merkle (the eight RFC leaves, every "happy path" proof byte for byte) and, for trees that
// need tiles of levels 1 and 2 and partial tiles, against an RFC 9162 SUBPROOF written here over the leaves;
// every proof verifies with verify.js. Run: node --test tests/scanner/
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { TileReader, tilePath } from "../../scanner_page/tiles.js";
import { leafHash, verifyConsistency } from "../../scanner_page/verify.js";

const VECTORS = fileURLToPath(new URL("../../../shared/standards/merkle-vectors/consistency/", import.meta.url));
const RFC_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
  "606162636465666768696a6b6c6d6e6f"].map((h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16)));
const b64 = (bytes) => Buffer.from(bytes).toString("base64");

// -- a log written out as tiles, independently of tiles.js ---------------------------------------------------

const node = (left, right) => new Uint8Array(createHash("sha256").update(Uint8Array.of(1)).update(left).update(right).digest());

async function mth(hashes) { // RFC 9162 MTH over leaf hashes (node:crypto: a second implementation, and fast)
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return node(await mth(hashes.slice(0, k)), await mth(hashes.slice(k)));
}

async function subproof(m, hashes, complete) { // RFC 9162 section 2.1.4.1
  const n = hashes.length;
  if (m === n) return complete ? [] : [await mth(hashes)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...(await subproof(m, hashes.slice(0, k), complete)), await mth(hashes.slice(k))];
  return [...(await subproof(m - k, hashes.slice(k), false)), await mth(hashes.slice(0, k))];
}

async function tilesOf(leafHashes) { // level -> every hash at height 8*level (what tiles are cut from)
  const levels = [];
  let hashes = leafHashes;
  while (hashes.length) {
    levels.push(hashes);
    const up = [];
    for (let i = 0; i + 256 <= hashes.length; i += 256) up.push(await mth(hashes.slice(i, i + 256)));
    hashes = up;
  }
  return levels;
}

function serve(levels, path) { // a tile as a server cuts it: tile/<L>/<x001/.../NNN>[.p/<W>]
  const m = /^tile\/([0-9]+)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([0-9]+))?$/.exec(path);
  if (!m) throw new Error(`not a tile path: ${path}`);
  const [level, index, width] = [Number(m[1]), Number(m[2].replace(/[x/]/g, "")), Number(m[3] || 256)];
  const row = (levels[level] || []).slice(index * 256, index * 256 + width);
  if (row.length !== width) throw new Error(`no tile ${path}`);
  const data = new Uint8Array(width * 32);
  row.forEach((h, i) => data.set(h, i * 32));
  return data;
}

function reader(size, levels, asked = [], edit = (path, data) => data) {
  return new TileReader(size, async (path) => {
    asked.push(path);
    return edit(path, serve(levels, path));
  });
}

test("tile paths are the canonical ones", () => {
  assert.equal(tilePath(0, 0), "tile/0/000");
  assert.equal(tilePath(1, 1234067, 7), "tile/1/x001/x234/067.p/7");
  assert.equal(tilePath(2, 1000), "tile/2/x001/000");
});

test("the RFC 6962 vectors, byte for byte", async () => {
  const hashes = await Promise.all(RFC_LEAVES.map(leafHash));
  const tiles = await tilesOf(hashes);
  let checked = 0;
  for (const dir of readdirSync(VECTORS).filter((d) => /^[0-9]+$/.test(d))) {
    const c = JSON.parse(readFileSync(`${VECTORS}${dir}/happy-path.json`, "utf8"));
    const proof = await reader(c.size2, tiles).consistencyProof(c.size1);
    assert.deepEqual(proof.map(b64), c.proof || [], `${c.size1} -> ${c.size2}`);
    checked += 1;
  }
  assert.ok(checked >= 5);
});

test("trees that need tiles of level 1 and 2, full and partial", async () => {
  const size = 256 * 256 + 300;
  const hashes = [];
  for (let i = 0; i < size; i++) hashes.push(new Uint8Array(createHash("sha256").update(`\0entry ${i}`).digest()));
  const tiles = await tilesOf(hashes);
  for (const [m, n] of [[1, 300], [255, 256], [256, 1000], [300, 65536], [65536, size], [777, size], [size - 1, size]]) {
    const asked = [];
    const proof = await reader(n, tiles, asked).consistencyProof(m);
    assert.deepEqual(proof.map(b64), (await subproof(m, hashes.slice(0, n), true)).map(b64), `${m} -> ${n}`);
    await verifyConsistency(m, n, await mth(hashes.slice(0, m)), await mth(hashes.slice(0, n)), proof);
    assert.equal(new Set(asked).size, asked.length, "each tile is fetched once");
    assert.ok(asked.length <= 12, `${m} -> ${n}: ${asked.length} tiles`);
  }
});

test("a lying tile gives a proof that does not verify", async () => {
  const hashes = [];
  for (let i = 0; i < 600; i++) hashes.push(await leafHash(new TextEncoder().encode(`e${i}`)));
  const tiles = await tilesOf(hashes);
  const flip = (path, data) => {
    if (path === "tile/0/002.p/88") data[5] ^= 1;
    return data;
  };
  const proof = await reader(600, tiles, [], flip).consistencyProof(520);
  await assert.rejects(verifyConsistency(520, 600, await mth(hashes.slice(0, 520)), await mth(hashes), proof));
  await assert.rejects(reader(700, tiles).consistencyProof(3), /no tile/); // a tree the server does not have
  await assert.rejects(reader(600, tiles).consistencyProof(601), /no consistency proof/);
});
