// OCOP Tracer verifiable-map verifier for the browser (ES module, WebCrypto SHA-256 only, no dependencies).
//
// The map (docs/verifiable-map.md) commits, in every checkpoint ("map <base64 root>" extension line), to the
// list of ledger entries about each lot, product, organisation and key. Given the entries a bundle shows
// for a subject and the subject's map proof, verifyEntries recomputes the value and checks it against the
// root, so an entry left out (a recall), added or changed fails. The same checks, in the same order, as
// tracer/ledger/vmap_proof.py, failing with the same `code`: malformed, kind, key, value, root.
// tests/vectors/vmap/vectors.json holds both to the same verdicts (tests/scanner/vmap.test.mjs).
//
// Values: Uint8Array hashes; entries [[index, leafHash], ...] with indexes as JavaScript safe integers
// (a log index past 2^53 - 1 is refused here, never rounded).

import { concat, equal } from "./bytes.js"; // the byte helpers, one copy

export const HASH_SIZE = 32;
export const KEY_BITS = 256;
export const TERMINALS = ["included", "empty", "other"];
const INCLUDED = 0;
const EMPTY_TERMINAL = 1;
const OTHER = 2;
const VALUE_PREFIX = 0x10;
const LEAF_PREFIX = 0x11;
const NODE_PREFIX = 0x12;
// SHA-256(0x13), the hash of every empty subtree (checked against WebCrypto by the tests).
export const EMPTY = hexBytes("ab897fbdedfa502b2d839b6a56100887dccdc507555c282e59589e06300a62e2");
const MAP_KEY = /^[a-z][a-z0-9-]{0,15}:[\x21-\x7e]+$/;
const MAX_KEY_LENGTH = 200;

export class MapVerificationError extends Error {
  constructor(code, message) {
    super(`map: ${message}`);
    this.code = code;
    this.reason = message;
  }
}

const fail = (code, message) => new MapVerificationError(code, message);
const malformed = (message) => fail("malformed", `proof: ${message}`);

// -- bytes -------------------------------------------------------------------------------------------------

function hexBytes(hex) {
  return Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
}


const isHash = (v) => v instanceof Uint8Array && v.length === HASH_SIZE;

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Canonical standard base64 (RFC 4648 section 4): exactly one text per byte string. */
export function b64decode(text, what = "base64") {
  if (typeof text !== "string" || !/^[\x00-\x7f]*$/.test(text)) throw fail("malformed", `${what}: not base64`);
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0) {
    let binary = null;
    try { binary = atob(text); } catch { binary = null; }
    if (binary !== null) {
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      if (toBase64(bytes) === text) return bytes;
    }
  }
  throw fail("malformed", `${what}: not canonical base64`);
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}

const bit = (key, depth) => (key[depth >> 3] >> (7 - (depth & 7))) & 1;
const leafHash = (key, value) => sha256(Uint8Array.of(LEAF_PREFIX), key, value);
const nodeHash = (left, right) => sha256(Uint8Array.of(NODE_PREFIX), left, right);

// -- keys and values ---------------------------------------------------------------------------------------

/** Throw unless mapKey is kind:id in printable ASCII (one spelling per subject). */
export function checkMapKey(mapKey) {
  if (typeof mapKey !== "string" || mapKey.length > MAX_KEY_LENGTH || !MAP_KEY.test(mapKey)) {
    throw fail("malformed", `map key ${JSON.stringify(String(mapKey).slice(0, 60))} is not kind:id in printable ASCII`);
  }
}

/** K = SHA-256(map key as ASCII). */
export async function keyHash(mapKey) {
  checkMapKey(mapKey);
  return sha256(new TextEncoder().encode(mapKey));
}

function checkEntries(entries) {
  if (!Array.isArray(entries)) throw fail("malformed", "entry list: not a list");
  let last = -1;
  for (const entry of entries) {
    const [index, leaf] = Array.isArray(entry) && entry.length === 2 ? entry : [undefined, undefined];
    if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
      throw fail("malformed", `entry list: map entry index ${index} is not an integer in 0..2^53-1`);
    }
    if (index <= last) throw fail("malformed", `entry list: map entry index ${index} does not follow index ${last}`);
    if (!isHash(leaf)) throw fail("malformed", `entry list: map entry ${index}: a leaf hash is ${HASH_SIZE} bytes`);
    last = index;
  }
}

/** The value of a key whose entries are `entries`: V_i = SHA-256(0x10 || V_{i-1} || uint64_be(index) || leaf). */
export async function mapValue(entries) {
  checkEntries(entries);
  if (entries.length === 0) throw fail("malformed", "entry list: a key without entries has no value");
  let value = new Uint8Array(HASH_SIZE);
  for (const [index, leaf] of entries) {
    const position = new Uint8Array(8);
    new DataView(position.buffer).setBigUint64(0, BigInt(index));
    value = await sha256(Uint8Array.of(VALUE_PREFIX), value, position, leaf);
  }
  return value;
}

/** Throw unless `entries` give exactly `value`. */
export async function verifyValue(value, entries) {
  const computed = await mapValue(entries);
  if (!equal(computed, value)) {
    throw fail("value", `the ${entries.length} entries given do not make the committed value (an entry left out, added or changed)`);
  }
}

// -- proofs ------------------------------------------------------------------------------------------------

function otherOf(proof) {
  if (!isHash(proof.otherKey) || !isHash(proof.otherValue)) {
    throw malformed("the other key's hash and value are 32 bytes each");
  }
  return [proof.otherKey, proof.otherValue];
}

function checkShape(proof) {
  if (proof === null || typeof proof !== "object" || ![INCLUDED, EMPTY_TERMINAL, OTHER].includes(proof.terminal)) {
    throw malformed(`unknown terminal ${proof && proof.terminal}`);
  }
  const siblings = proof.siblings;
  if (!Array.isArray(siblings) || siblings.length > KEY_BITS) {
    throw malformed(`depth ${siblings && siblings.length} is more than ${KEY_BITS}`);
  }
  if (!siblings.every(isHash)) throw malformed(`a sibling hash is not ${HASH_SIZE} bytes`);
  if (siblings.length && equal(siblings[siblings.length - 1], EMPTY)) {
    throw malformed(`the sibling at depth ${siblings.length}, next to the terminal, is empty`);
  }
  if (proof.terminal === OTHER) otherOf(proof);
  else if (proof.otherKey != null || proof.otherValue != null) {
    throw malformed("only a proof ending at another key's leaf names another key");
  }
}

/** Parse the binary form strictly: terminal (1) || depth (uint16 BE) || bitmap || hashes || [K' || V']. */
export function proofFromBytes(data) {
  if (!(data instanceof Uint8Array) || data.length < 3 || data[0] > OTHER) {
    throw malformed(!(data instanceof Uint8Array) || data.length < 3 ? "no terminal and depth header" : `unknown terminal ${data[0]}`);
  }
  const terminal = data[0];
  const depth = (data[1] << 8) | data[2];
  if (depth > KEY_BITS) throw malformed(`depth ${depth} is more than ${KEY_BITS}`);
  const at = 3 + ((depth + 7) >> 3);
  const bitmap = data.subarray(3, at);
  const whole = bitmap.length === at - 3;
  const present = [];
  for (let d = 0; whole && d < depth; d++) if (bitmap[d >> 3] & (0x80 >> (d & 7))) present.push(d);
  const tail = terminal === OTHER ? 2 * HASH_SIZE : 0;
  if (!whole || data.length !== at + HASH_SIZE * present.length + tail) {
    throw malformed(`${data.length} bytes do not match its depth ${depth} and bitmap`);
  }
  if (depth % 8 && bitmap[bitmap.length - 1] & (0xff >> (depth % 8))) throw malformed("bitmap bits past the depth are set");
  const siblings = new Array(depth).fill(EMPTY);
  present.forEach((d, n) => {
    siblings[d] = data.slice(at + HASH_SIZE * n, at + HASH_SIZE * (n + 1));
    if (equal(siblings[d], EMPTY)) throw malformed(`the sibling at depth ${d + 1} is listed although empty`);
  });
  const proof = { terminal, siblings, otherKey: null, otherValue: null };
  if (terminal === OTHER) {
    proof.otherKey = data.slice(data.length - 2 * HASH_SIZE, data.length - HASH_SIZE);
    proof.otherValue = data.slice(data.length - HASH_SIZE);
  }
  checkShape(proof);
  return proof;
}

export function proofFromBase64(text) {
  return proofFromBytes(b64decode(text, "proof: map proof"));
}

function b64Hash(value, what) {
  let raw;
  try { raw = b64decode(value, what); } catch (e) { throw malformed(e.reason); }
  if (raw.length !== HASH_SIZE) throw malformed(`${what} is ${raw.length} bytes, not ${HASH_SIZE}`);
  return raw;
}

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const sameKeys = (obj, names) => {
  const keys = Object.keys(obj).sort();
  return keys.length === names.length && [...names].sort().every((k, i) => k === keys[i]);
};

/** Parse the JSON form strictly: {terminal, depth, siblings: [[depth, base64], ...], other?}. */
export function proofFromJSON(obj) {
  if (!isPlainObject(obj) || !TERMINALS.includes(obj.terminal)) {
    throw malformed("not an object with a terminal of included, empty or other");
  }
  const terminal = TERMINALS.indexOf(obj.terminal);
  const fields = ["terminal", "depth", "siblings", ...(terminal === OTHER ? ["other"] : [])];
  if (!sameKeys(obj, fields)) throw malformed(`fields are ${Object.keys(obj).sort()}, expected ${fields.sort()}`);
  const { depth, siblings: listed } = obj;
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 0 || depth > KEY_BITS || !Array.isArray(listed)) {
    throw malformed(`depth is an integer in 0..${KEY_BITS} and siblings a list`);
  }
  const siblings = new Array(depth).fill(EMPTY);
  let last = 0;
  for (const pair of listed) {
    if (!(Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "number" && Number.isInteger(pair[0])
          && last < pair[0] && pair[0] <= depth)) {
      throw malformed("siblings are [depth, hash] pairs with depths increasing within 1..depth");
    }
    last = pair[0];
    siblings[last - 1] = b64Hash(pair[1], `sibling at depth ${last}`);
    if (equal(siblings[last - 1], EMPTY)) throw malformed(`the sibling at depth ${last} is listed although empty`);
  }
  const proof = { terminal, siblings, otherKey: null, otherValue: null };
  if (terminal === OTHER) {
    const other = obj.other;
    if (!isPlainObject(other) || !sameKeys(other, ["key_hash", "value"])) {
      throw malformed("other is an object with key_hash and value");
    }
    proof.otherKey = b64Hash(other.key_hash, "other key hash");
    proof.otherValue = b64Hash(other.value, "other value");
  }
  checkShape(proof);
  return proof;
}

// -- verification ------------------------------------------------------------------------------------------

async function checkRoot(root, key, start, proof, failure) {
  if (!isHash(root)) throw fail("malformed", `the root is ${HASH_SIZE} bytes`);
  let h = start;
  for (let depth = proof.siblings.length; depth > 0; depth--) {
    const sibling = proof.siblings[depth - 1];
    h = bit(key, depth - 1) === 0 ? await nodeHash(h, sibling) : await nodeHash(sibling, h);
  }
  if (!equal(h, root)) throw fail("root", failure);
}

async function inclusion(root, mapKey, value, proof, failure) {
  checkShape(proof);
  const key = await keyHash(mapKey);
  if (proof.terminal !== INCLUDED) throw fail("kind", `${mapKey}: the proof shows the key absent, not its value`);
  if (!isHash(value)) throw fail("malformed", `${mapKey}: a value is ${HASH_SIZE} bytes`);
  await checkRoot(root, key, await leafHash(key, value), proof, failure);
}

/** Throw unless `mapKey` has `value` in the map with `root`. */
export async function verifyInclusion(root, mapKey, value, proof) {
  await inclusion(root, mapKey, value, proof, `${mapKey}: this value and proof do not lead to the committed root`);
}

/** Throw unless `mapKey` has no entry at all in the map with `root`. */
export async function verifyAbsence(root, mapKey, proof) {
  checkShape(proof);
  const key = await keyHash(mapKey);
  if (proof.terminal === INCLUDED) throw fail("kind", `${mapKey}: the proof shows the key's value, not its absence`);
  let start = EMPTY;
  if (proof.terminal === OTHER) {
    const [other, value] = otherOf(proof);
    if (equal(other, key)) throw fail("key", `${mapKey}: the other leaf of the absence proof is the key itself`);
    for (let d = 0; d < proof.siblings.length; d++) {
      if (bit(other, d) !== bit(key, d)) throw fail("key", `${mapKey}: the other leaf of the absence proof is off the key's path`);
    }
    start = await leafHash(other, value);
  }
  await checkRoot(root, key, start, proof, `${mapKey}: the absence proof does not lead to the committed root`);
}

/** Throw unless `entries` are every entry about `mapKey` in the map with `root` (none: the key is absent). */
export async function verifyEntries(root, mapKey, entries, proof) {
  if (Array.isArray(entries) && entries.length === 0) {
    await verifyAbsence(root, mapKey, proof);
    return;
  }
  let value;
  try { value = await mapValue(entries); } catch (e) { throw fail("malformed", `${mapKey}: ${e.reason}`); }
  await inclusion(root, mapKey, value, proof,
    `${mapKey}: the ${entries.length} entries given do not lead to the committed root (an entry left out, added or changed, or a wrong proof)`);
}

/** The map root from a checkpoint's extension lines: exactly one "map <base64 root>" line. */
export function parseMapExtension(lines) {
  const roots = lines.filter((line) => line.split(" ", 1)[0] === "map");
  if (roots.length !== 1) throw fail("malformed", `a checkpoint has ${roots.length} map lines, not 1`);
  const root = b64decode(roots[0].slice(4), "map root");
  if (root.length !== HASH_SIZE) throw fail("malformed", `the map root is ${root.length} bytes, not ${HASH_SIZE}`);
  return root;
}
