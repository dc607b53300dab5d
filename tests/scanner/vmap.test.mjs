// scanner_page/vmap.js against the shared vectors (tests/vectors/vmap/vectors.json, written by
// tests/ledger/vmap_vectors.py and judged by the Python verifiers in tests/ledger/test_vmap_vectors.py):
// the same verdict and failing check on every case. Run: node --test tests/scanner/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import {
  EMPTY,
  MapVerificationError,
  keyHash,
  mapValue,
  parseMapExtension,
  proofFromBase64,
  proofFromBytes,
  proofFromJSON,
  verifyAbsence,
  verifyEntries,
  verifyInclusion,
  verifyValue,
} from "../../scanner_page/vmap.js";

const VECTORS = fileURLToPath(new URL("../vectors/vmap/vectors.json", import.meta.url));
const doc = JSON.parse(readFileSync(VECTORS, "utf8"));
const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const entriesOf = (list) => list.map(([index, leaf]) => [index, bytes(leaf)]);

async function verdict(c) {
  const root = bytes(c.root || doc.maps[c.map].root);
  try {
    const proof = "proof" in c ? proofFromBase64(c.proof) : proofFromJSON(c.proof_json);
    if (c.check === "inclusion") await verifyInclusion(root, c.key, bytes(c.value), proof);
    else if (c.check === "absence") await verifyAbsence(root, c.key, proof);
    else await verifyEntries(root, c.key, entriesOf(c.entries), proof);
  } catch (e) {
    if (!(e instanceof MapVerificationError)) throw e;
    return { valid: false, code: e.code };
  }
  return { valid: true, code: null };
}

test("EMPTY is SHA-256(0x13)", async () => {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", Uint8Array.of(0x13)));
  assert.equal(hex(digest), doc.empty);
  assert.equal(hex(EMPTY), doc.empty);
});

test("key hashes", async () => {
  for (const item of doc.keys) assert.equal(hex(await keyHash(item.map_key)), item.key_hash, item.map_key);
});

test("bad map keys are refused", async () => {
  for (const bad of doc.bad_keys) {
    await assert.rejects(keyHash(bad), (e) => e.code === "malformed" && /not kind:id in printable ASCII/.test(e.message),
      JSON.stringify(bad));
  }
});

test("values", async () => {
  for (const item of doc.values) {
    const entries = entriesOf(item.entries);
    assert.equal(hex(await mapValue(entries)), item.value);
    await verifyValue(bytes(item.value), entries);
    await assert.rejects(verifyValue(bytes(item.value), entries.slice(1).length ? entries.slice(1) : [[1, EMPTY]]),
      (e) => e.code === "value");
  }
});

test("checkpoint extension lines", () => {
  for (const item of doc.extensions) {
    if (item.root === null) {
      assert.throws(() => parseMapExtension(item.lines), (e) => e.code === "malformed", JSON.stringify(item.lines));
    } else {
      assert.equal(hex(parseMapExtension(item.lines)), item.root);
    }
  }
});

test("every case gets the Python verdict", async () => {
  assert.ok(doc.cases.length >= 100);
  for (const c of doc.cases) {
    assert.deepEqual(await verdict(c), { valid: c.valid, code: c.code }, c.name);
  }
});

test("binary proofs round-trip through the JSON form", async () => {
  for (const c of doc.cases.filter((c) => c.valid && "proof" in c)) {
    const proof = proofFromBase64(c.proof);
    const siblings = proof.siblings.map((s, d) => [d + 1, s]).filter(([, s]) => hex(s) !== doc.empty);
    const json = {
      terminal: ["included", "empty", "other"][proof.terminal],
      depth: proof.siblings.length,
      siblings: siblings.map(([d, s]) => [d, Buffer.from(s).toString("base64")]),
    };
    if (proof.terminal === 2) {
      json.other = { key_hash: Buffer.from(proof.otherKey).toString("base64"), value: Buffer.from(proof.otherValue).toString("base64") };
    }
    assert.deepEqual(proofFromJSON(json), proof, c.name);
  }
});

test("a flipped bit in any byte of a proof, value or root fails", async () => {
  const c = doc.cases.find((x) => x.map === "sixty" && x.check === "inclusion" && x.valid && "proof" in x);
  const root = bytes(doc.maps.sixty.root);
  const raw = Uint8Array.from(Buffer.from(c.proof, "base64"));
  const value = bytes(c.value);
  await verifyInclusion(root, c.key, value, proofFromBytes(raw));
  const flips = function* (data) { // one bit of every byte, a different bit from byte to byte
    for (let i = 0; i < data.length; i++) { const out = data.slice(); out[i] ^= 1 << (i % 8); yield out; }
  };
  for (const bad of flips(raw)) {
    await assert.rejects(async () => verifyInclusion(root, c.key, value, proofFromBytes(bad)), MapVerificationError);
  }
  for (const bad of flips(value)) await assert.rejects(verifyInclusion(root, c.key, bad, proofFromBytes(raw)), MapVerificationError);
  for (const bad of flips(root)) await assert.rejects(verifyInclusion(bad, c.key, value, proofFromBytes(raw)), MapVerificationError);
});

test("indexes past 2^53 - 1 are refused, not rounded", async () => {
  await assert.rejects(mapValue([[2 ** 53, EMPTY]]), (e) => e.code === "malformed" && /not an integer/.test(e.message));
  assert.equal((await mapValue([[2 ** 53 - 1, EMPTY]])).length, 32);
});
