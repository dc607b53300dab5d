// OCOP Tracer package verifier for the browser (ES module, WebCrypto: Ed25519 and SHA-256; without WebCrypto's
// Ed25519, the vendored @noble/ed25519, loaded only then).
//
// Checks a package proof bundle (GET /api/v1/packages/{serial}/proof) against the pinned log key, the same
// steps in the same order as tracer/proofs/verdict.py, failing with the same `code`:
//   log-key, checkpoint (C2SP signed note + tlog-checkpoint), inclusion (RFC 9162 2.1.3.2), envelope (DSSE),
//   key / key-unknown / key-not-valid / key-revoked (key.register and key.revoke entries in the bundle),
//   signature (Ed25519 over DSSE PAE), signer (who may sign what), serial (Merkle proof under serials_root),
//   lineage (the package's lot back to harvests from registered zones), registration, binding,
//   completeness (every entry about each lot, the product, the producer, the zones and the signing keys is in
//   the bundle: the verifiable map, vmap.js), uri, summary, malformed.
// Nothing from the server is trusted but the pinned log key.

import { concat, equal } from "./bytes.js";
import { parseMapExtension, proofFromJSON, verifyEntries } from "./vmap.js";

export const BUNDLE_VERSION = 2;
export const PAYLOAD_TYPE = "application/vnd.ocop-tracer.event+json";
const SERIAL = /^[0-9A-HJKMNP-TV-Z]{12}$/;
const ORG_EVENTS = new Set(["zone.register", "zone.diary", "harvest", "receive", "process", "package", "ship"]);
const ORG_REGISTER = "org.register", PRODUCT_REGISTER = "product.register"; // signed names (issue #16 item 1)
const PRODUCT_PROFILE = "product.profile"; // a product's photo and shops (issue #20 items 3, 4)
const ZONE_PROFILE = "zone.profile"; // a zone's photo, signed by its organisation
const HEX64 = /^[0-9a-f]{64}$/;
const PRODUCT_FACTS = ["id", "organisation_id", "name", "gtin", "unit", "ocop_group"];
const PRODUCER_FACTS = ["id", "name", "kind", "address", "commune", "district", "province"];
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/;
const SIZE = /^(0|[1-9][0-9]{0,18})$/;
const enc = new TextEncoder();

export class VerificationError extends Error {
  constructor(code, message, index = null) {
    super(`${code}: ${message}`);
    this.code = code;
    this.reason = message;
    this.index = index;
  }
}

const fail = (code, message, index = null) => new VerificationError(code, message, index);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isIndex = (v) => typeof v === "number" && Number.isInteger(v) && v >= 0;
const pick = (obj, keys) => Object.fromEntries(keys.map((k) => [k, obj[k] === undefined ? null : obj[k]]));

// -- bytes -------------------------------------------------------------------------------------------------

export { concat, equal }; // (from bytes.js: vmap.js uses them too, without importing this module)

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Canonical standard base64 (RFC 4648 section 4), or URL-safe (section 5) when urlsafeOk. */
export function b64decode(text, what = "base64", urlsafeOk = false) {
  if (typeof text === "string" && /^[\x00-\x7f]*$/.test(text)) {
    for (const alphabet of urlsafeOk ? ["std", "url"] : ["std"]) {
      const std = alphabet === "std" ? text : text.replace(/-/g, "+").replace(/_/g, "/");
      if (alphabet === "std" ? !/^[A-Za-z0-9+/]*={0,2}$/.test(text) : !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) continue;
      if (std.length % 4 !== 0) continue;
      let binary;
      try { binary = atob(std); } catch { continue; }
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      if (toBase64(bytes) === std) return bytes;
    }
  }
  throw fail("base64", `${what}: not canonical base64`);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// -- Ed25519 -----------------------------------------------------------------------------------------------
// WebCrypto's Ed25519 where the browser has it (Chrome 137+, Safari 17+, Firefox 129+, Node 20). Older phones
// answer importKey or verify with NotSupportedError: then, and only then, the vendored @noble/ed25519
// (vendor/README.md) is imported, so the usual path never fetches its bytes. It verifies as RFC 8032 and
// FIPS 186-5 say (zip215: false: canonical encodings, S < L, no small-order public key).

const keyCache = new Map();
let backend = null; // "webcrypto" or "noble" once a signature was checked
let noble = null; // the fallback module, imported on first need

/** Which Ed25519 implementation checked the signatures so far: "webcrypto", "noble", or null (none yet). */
export function ed25519Backend() {
  return backend;
}

const notSupported = (error) => Boolean(error) && error.name === "NotSupportedError";

export async function ed25519Verify(publicKey, signature, message) {
  if (backend !== "noble") {
    try {
      const valid = await webCryptoVerify(publicKey, signature, message);
      backend = "webcrypto";
      return valid;
    } catch (error) {
      if (!notSupported(error)) throw error;
      backend = "noble"; // this browser has no Ed25519 in WebCrypto: do not ask again
    }
  }
  return nobleVerify(publicKey, signature, message);
}

async function webCryptoVerify(publicKey, signature, message) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle || typeof subtle.importKey !== "function" || typeof subtle.verify !== "function") {
    throw new DOMException("WebCrypto is not available", "NotSupportedError");
  }
  const cacheKey = hex(publicKey);
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = await subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    keyCache.set(cacheKey, key);
  }
  try {
    return await subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch (error) {
    if (notSupported(error)) throw error;
    return false;
  }
}

async function nobleVerify(publicKey, signature, message) {
  if (!noble) noble = import("./vendor/noble-ed25519.js");
  let ed;
  try {
    ed = await noble;
  } catch (error) {
    noble = null; // offline before the service worker kept it: try again on the next scan
    throw error;
  }
  try {
    return await ed.verifyAsync(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // a malformed key or signature verifies nothing
  }
}

// -- RFC 9162 Merkle trees ---------------------------------------------------------------------------------

export const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/** RFC 9162 section 2.1.3.2: is `leaf` at `index` of the tree of `size` leaves with `root`? Throws if not. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index >= 0 && index < size)) throw fail("inclusion", `index ${index} is not inside a tree of size ${size}`);
  for (const h of [leaf, root, ...proof]) {
    if (h.length !== 32) throw fail("inclusion", `a hash is 32 bytes, got ${h.length}`);
  }
  // BigInt keeps sizes beyond 2^53 exact, as in Python.
  let fn = BigInt(index), sn = BigInt(size) - 1n, r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw fail("inclusion", "proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw fail("inclusion", "proof is too short");
  if (!equal(r, root)) throw fail("inclusion", "computed root does not match");
}

/** RFC 9162 section 2.1.4.2: does the tree (size2, root2) extend (size1, root1)? Throws if not. */
export async function verifyConsistency(size1, size2, root1, root2, proof) {
  if (!(Number.isInteger(size1) && Number.isInteger(size2) && size1 >= 1 && size2 >= size1)) {
    throw fail("consistency", `sizes ${size1} -> ${size2} cannot be proven`);
  }
  if (size1 === size2) {
    if (proof.length) throw fail("consistency", "equal sizes need an empty proof");
    if (!equal(root1, root2)) throw fail("consistency", "equal sizes but different roots");
    return;
  }
  if (!proof.length) throw fail("consistency", "empty proof");
  for (const h of [root1, root2, ...proof]) {
    if (h.length !== 32) throw fail("consistency", `a hash is 32 bytes, got ${h.length}`);
  }
  const big1 = BigInt(size1);
  const path = (big1 & (big1 - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = BigInt(size1) - 1n, sn = BigInt(size2) - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw fail("consistency", "proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw fail("consistency", "proof is too short");
  if (!equal(fr, root1)) throw fail("consistency", "computed old root does not match");
  if (!equal(sr, root2)) throw fail("consistency", "computed new root does not match");
}

// -- C2SP signed notes and checkpoints ---------------------------------------------------------------------

const validName = (name) => name.length > 0 && !name.includes("+") && !/\s/.test(name) && !CONTROL.test(name);

async function noteKeyHash(name, publicKey) {
  const digest = await sha256(concat(enc.encode(name), Uint8Array.of(0x0a, 0x01), publicKey));
  return hex(digest.subarray(0, 4));
}

/** Parse `name+hash+base64(0x01 || key)` (c2sp.org/signed-note). */
export async function parseVerifierKey(text) {
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  const name = text.slice(0, first), hash = text.slice(first + 1, second);
  if (first < 0 || second < 0 || !validName(name) || !/^[0-9a-f]{8}$/.test(hash)) {
    throw fail("checkpoint", "malformed verifier key");
  }
  const raw = b64decode(text.slice(second + 1), "verifier key");
  if (raw.length !== 33 || raw[0] !== 0x01) throw fail("checkpoint", "verifier key is not an Ed25519 key");
  const publicKey = raw.subarray(1);
  if ((await noteKeyHash(name, publicKey)) !== hash) {
    throw fail("checkpoint", "verifier key id does not match its name and key");
  }
  return { name, hash, publicKey };
}

/** The text of `note` if it carries a valid signature by `verifierKey` (Go's note.Open rules). */
export async function verifyNote(note, verifierKey) {
  const key = await parseVerifierKey(verifierKey);
  if (!note.endsWith("\n")) throw fail("checkpoint", "note text must end with a newline");
  if (CONTROL.test(note)) throw fail("checkpoint", "note text contains a control character");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw fail("checkpoint", "note has no signature block");
  const text = note.slice(0, split + 1), block = note.slice(split + 2);
  if (!block) throw fail("checkpoint", "note has no signatures");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > 16) throw fail("checkpoint", "note has more than 16 signatures");
  let verified = false;
  const message = enc.encode(text);
  for (const line of lines) {
    if (!line.startsWith("\u2014 ")) throw fail("checkpoint", "malformed signature line");
    const rest = line.slice(2), space = rest.indexOf(" ");
    const name = rest.slice(0, space);
    if (space < 0 || !validName(name)) throw fail("checkpoint", "malformed signature line");
    const raw = b64decode(rest.slice(space + 1), "note signature");
    if (raw.length < 5) throw fail("checkpoint", "malformed signature line");
    if (name !== key.name || hex(raw.subarray(0, 4)) !== key.hash) continue; // a co-signer we do not know
    if (!(await ed25519Verify(key.publicKey, raw.subarray(4), message))) {
      throw fail("checkpoint", `invalid signature by ${name}`);
    }
    verified = true;
  }
  if (!verified) throw fail("checkpoint", `no signature by ${key.name}+${key.hash}`);
  return { text, keyName: key.name };
}

/** Verify and parse a C2SP tlog-checkpoint note: {origin, size, root, extensions}. */
export async function verifyCheckpoint(note, verifierKey) {
  const { text, keyName } = await verifyNote(note, verifierKey);
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw fail("checkpoint", "checkpoint needs origin, size and root hash lines");
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!origin || origin !== origin.trim()) throw fail("checkpoint", "checkpoint origin line is empty or padded");
  if (!SIZE.test(sizeText) || BigInt(sizeText) >= 1n << 63n) throw fail("checkpoint", "bad checkpoint size");
  const root = b64decode(rootText, "checkpoint root hash");
  if (root.length !== 32) throw fail("checkpoint", "checkpoint root hash is not 32 bytes");
  if (extensions.some((l) => !l)) throw fail("checkpoint", "checkpoint has an empty extension line");
  if (origin !== keyName) throw fail("checkpoint", `checkpoint origin ${origin} is not the verifier key's name`);
  return { origin, size: Number(sizeText), root, extensions };
}

// -- DSSE --------------------------------------------------------------------------------------------------

export function pae(payloadType, payload) {
  const type = enc.encode(payloadType);
  return concat(enc.encode(`DSSEv1 ${type.length} `), type, enc.encode(` ${payload.length} `), payload);
}

const sameKeys = (obj, keys) => {
  const have = Object.keys(obj).sort();
  return have.length === keys.length && [...keys].sort().every((k, i) => k === have[i]);
};

function parseEnvelope(raw, index) {
  let doc;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw fail("envelope", `entry ${index}: envelope is not JSON`, index);
  }
  if (!isObject(doc) || !sameKeys(doc, ["payload", "payloadType", "signatures"])) {
    throw fail("envelope", `entry ${index}: envelope must have payload, payloadType and signatures`, index);
  }
  if (typeof doc.payloadType !== "string" || !doc.payloadType) throw fail("envelope", `entry ${index}: bad payloadType`, index);
  if (!Array.isArray(doc.signatures) || !doc.signatures.length) throw fail("envelope", `entry ${index}: no signature`, index);
  const signatures = doc.signatures.map((s) => {
    if (!isObject(s) || !sameKeys(s, ["keyid", "sig"]) || typeof s.keyid !== "string") {
      throw fail("envelope", `entry ${index}: each signature needs a string keyid and a sig`, index);
    }
    return { keyid: s.keyid, sig: wrap(() => b64decode(s.sig, "signature", true), "envelope", index) };
  });
  const payload = wrap(() => b64decode(doc.payload, "payload", true), "envelope", index);
  return { payload, payloadType: doc.payloadType, signatures };
}

function wrap(fn, code, index = null) {
  try {
    return fn();
  } catch (error) {
    throw fail(code, error.reason || String(error), index);
  }
}

// -- the package bundle ------------------------------------------------------------------------------------

function checkShape(bundle) {
  if (!isObject(bundle)) throw fail("malformed", "the bundle is not a JSON object");
  if (bundle.version !== BUNDLE_VERSION) throw fail("malformed", `unsupported bundle version ${bundle.version}`);
  const kinds = { serial: "string", uri: "string", checkpoint: "string", log_key: "string", entries: "array",
    keys: "array", serial_proof: "object", package: "object", map: "array" };
  for (const [name, kind] of Object.entries(kinds)) {
    const value = bundle[name];
    const ok = kind === "array" ? Array.isArray(value) : kind === "object" ? isObject(value) : typeof value === kind;
    if (!ok) throw fail("malformed", `${name} is missing or of the wrong type`);
  }
  if (!SERIAL.test(bundle.serial)) throw fail("malformed", "serial is not 12 Crockford Base32 characters");
}

async function readEntries(bundle, cp) {
  const entries = new Map();
  for (const item of bundle.entries) {
    if (!isObject(item) || !Array.isArray(item.proof)) throw fail("malformed", "each entry needs index, envelope and proof");
    if (!isIndex(item.index)) throw fail("malformed", "entry index must be a whole number >= 0");
    const index = item.index;
    if (entries.has(index)) throw fail("malformed", `entry ${index} appears twice`, index);
    const raw = wrap(() => b64decode(item.envelope, `entry ${index} envelope`), "malformed");
    const proof = item.proof.map((h) => wrap(() => b64decode(h, `entry ${index} proof hash`), "inclusion"));
    try {
      await verifyInclusion(index, cp.size, await leafHash(raw), proof, cp.root);
    } catch (error) {
      throw fail("inclusion", `entry ${index} is not in the log at size ${cp.size}: ${error.reason}`, index);
    }
    const envelope = parseEnvelope(raw, index);
    if (envelope.payloadType !== PAYLOAD_TYPE) throw fail("envelope", `entry ${index} is not an OCOP Tracer event`, index);
    let body;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(envelope.payload));
    } catch {
      throw fail("envelope", `entry ${index}: payload is not JSON`, index);
    }
    if (!isObject(body) || typeof body.type !== "string") throw fail("envelope", `entry ${index}: payload has no type`, index);
    entries.set(index, { index, envelope, body, leaf: await leafHash(raw) });
  }
  return entries;
}

const byIndex = (entries) => [...entries.values()].sort((a, b) => a.index - b.index);

async function readKeys(bundle, entries) {
  const keys = new Map();
  for (const entry of byIndex(entries)) {
    const body = entry.body;
    if (body.type === "key.register") {
      const publicKey = wrap(() => b64decode(body.public_key, `entry ${entry.index} public_key`), "key");
      const derived = publicKey.length === 32 ? hex((await sha256(publicKey)).subarray(0, 8)) : null;
      if (derived === null || derived !== body.keyid || keys.has(body.keyid)) {
        throw fail("key", `entry ${entry.index}: malformed key registration`, entry.index);
      }
      keys.set(body.keyid, { keyid: body.keyid, owner: String(body.owner), role: String(body.role), publicKey,
        registeredIndex: entry.index, revokedIndex: null });
    } else if (body.type === "key.revoke") {
      const known = keys.get(String(body.keyid));
      if (!known || known.revokedIndex !== null) {
        throw fail("key", `entry ${entry.index} revokes a key the bundle never registered`, entry.index);
      }
      known.revokedIndex = entry.index;
    }
  }
  for (const item of bundle.keys) {
    if (!isObject(item) || typeof item.keyid !== "string") throw fail("malformed", "each key needs a keyid");
    const known = keys.get(item.keyid);
    if (!known) throw fail("key-unknown", `key ${item.keyid} has no key.register entry in the bundle`);
    if (item.registered_index !== known.registeredIndex || item.revoked_index !== known.revokedIndex) {
      throw fail("key", `key ${known.keyid}: the key list disagrees with the log's key entries`);
    }
  }
  return keys;
}

function expectedOwner(body) {
  if (ORG_EVENTS.has(body.type) || body.type === "recall" || body.type === ZONE_PROFILE) return `org:${body.org}`;
  if (body.type === ORG_REGISTER) return "authority";
  if (body.type === PRODUCT_REGISTER || body.type === PRODUCT_PROFILE) {
    return isObject(body.product) ? `org:${body.product.organisation_id}` : "authority";
  }
  if (body.type === "certify") return "authority";
  if (body.type === "inspect") return String(body.by);
  return null;
}

async function checkSignature(entry, keys) {
  const { envelope: env, body, index } = entry;
  const keyEvent = body.type === "key.register" || body.type === "key.revoke";
  const bootstrap = index === 0 && body.type === "key.register" && body.role === "authority";
  const signature = env.signatures.find((s) => keys.has(s.keyid));
  if (!signature) throw fail("key-unknown", `entry ${index} is signed by a key the bundle does not register`, index);
  const signer = keys.get(signature.keyid);
  if (signer.registeredIndex > index || (signer.registeredIndex === index && !bootstrap)) {
    throw fail("key-not-valid", `entry ${index}: key ${signer.keyid} was not registered yet`, index);
  }
  if (signer.revokedIndex !== null && index >= signer.revokedIndex) {
    throw fail("key-revoked", `entry ${index}: key ${signer.keyid} was revoked at index ${signer.revokedIndex}`, index);
  }
  if (keyEvent && signer.role !== "authority") {
    throw fail("signer", `entry ${index}: a key event must be signed by an authority key`, index);
  }
  if (!(await ed25519Verify(signer.publicKey, signature.sig, pae(env.payloadType, env.payload)))) {
    throw fail("signature", `entry ${index}: the signature by key ${signer.keyid} does not verify`, index);
  }
  const expected = expectedOwner(body);
  const byAuthority = ["recall", PRODUCT_REGISTER, PRODUCT_PROFILE].includes(body.type) && signer.role === "authority";
  if (expected !== null && signer.owner !== expected && !byAuthority) {
    throw fail("signer", `entry ${index}: signed by ${signer.owner}, expected ${expected}`, index);
  }
}

async function packageEntry(bundle, entries) {
  const sp = bundle.serial_proof;
  for (const name of ["packaging_index", "position", "count"]) {
    if (!isIndex(sp[name])) throw fail("malformed", `serial_proof.${name} must be a whole number >= 0`);
  }
  if (!Array.isArray(sp.proof)) throw fail("malformed", "serial_proof.proof must be a list");
  const entry = entries.get(sp.packaging_index);
  if (!entry || entry.body.type !== "package") {
    throw fail("lineage", `the packaging event ${sp.packaging_index} is not in the bundle`);
  }
  const body = entry.body;
  if (body.count !== sp.count) throw fail("serial", `the packaging event covers ${body.count} packages, not ${sp.count}`);
  const root = wrap(() => b64decode(body.serials_root, "serials_root"), "serial");
  const proof = sp.proof.map((h) => wrap(() => b64decode(h, "serial proof hash"), "serial"));
  try {
    await verifyInclusion(sp.position, sp.count, await leafHash(enc.encode(bundle.serial)), proof, root);
  } catch (error) {
    throw fail("serial", `serial ${bundle.serial} is not in packaging event ${sp.packaging_index}: ${error.reason}`,
      sp.packaging_index);
  }
  return entry;
}

function lineage(pkg, entries) {
  const creators = new Map(), zones = new Map();
  for (const entry of entries.values()) {
    const body = entry.body;
    if (body.type === "harvest" && isObject(body.lot)) {
      creators.set(String(body.lot.id), entry);
    } else if (body.type === "process" && Array.isArray(body.outputs)) {
      for (const out of body.outputs) if (isObject(out)) creators.set(String(out.id), entry);
    } else if (body.type === "zone.register" && isObject(body.zone)) {
      zones.set(String(body.zone.id), entry);
    }
  }
  const lots = [], made = [], usedZones = [];
  const pending = [[String(pkg.body.lot_id), pkg.index]];
  while (pending.length) {
    const [lot, before] = pending.pop();
    if (lots.includes(lot)) continue;
    const creator = creators.get(lot);
    if (!creator || creator.index >= before) throw fail("lineage", `lot ${lot} is not created by any earlier entry in the bundle`);
    lots.push(lot);
    made.push(creator);
    if (creator.body.type === "harvest") {
      const zone = zones.get(String(creator.body.zone_id));
      if (!zone || zone.index >= creator.index) {
        throw fail("lineage", `lot ${lot} comes from zone ${creator.body.zone_id}, which no earlier entry registers`);
      }
      usedZones.push(zone);
    } else {
      const inputs = creator.body.inputs;
      if (!Array.isArray(inputs) || !inputs.length) throw fail("lineage", `processing entry ${creator.index} has no inputs`);
      for (const input of inputs) if (isObject(input)) pending.push([String(input.lot_id), creator.index]);
    }
  }
  return { lots, made, zones: usedZones };
}

// -- completeness: the verifiable map ----------------------------------------------------------------------

/** The map keys whose every entry the verdict must see (tracer/events/subjects.py), as verdict.py lists them. */
function requiredSubjects(pkg, lin, keys) {
  return [
    ...lin.lots.map((lot) => `lot:${lot}`),
    `product:${pkg.body.product_id}`,
    `org:${pkg.body.org}`,
    ...[...new Set(lin.zones.map((z) => `zone:${z.body.zone.id}`))].sort(),
    ...[...keys.keys()].map((keyid) => `key:${keyid}`).sort(),
  ];
}

/** Each required subject's entries are all in the bundle and are the whole list the checkpoint's map
 * commits to (docs/verifiable-map.md): an entry left out, such as a recall or a key's revocation, fails. */
async function checkComplete(bundle, cp, entries, required) {
  let root;
  try {
    root = parseMapExtension(cp.extensions);
  } catch (error) {
    throw fail("completeness", `the checkpoint commits to no verifiable map: ${error.reason || error}`);
  }
  const listed = new Map();
  for (const item of bundle.map) {
    if (!isObject(item) || typeof item.key !== "string" || !Array.isArray(item.indexes)) {
      throw fail("malformed", "each map item needs key, indexes and proof");
    }
    if (listed.has(item.key)) throw fail("malformed", `map key ${item.key} appears twice`);
    listed.set(item.key, item);
  }
  for (const subject of required) {
    const item = listed.get(subject);
    if (!item) throw fail("completeness", `${subject}: the bundle gives no map proof of its entries`);
    const given = item.indexes.map((index) => {
      if (!isIndex(index)) throw fail("malformed", `${subject} index must be a whole number >= 0`);
      const entry = entries.get(index);
      if (!entry) throw fail("completeness", `${subject}: entry ${index} is about it but not in the bundle`, index);
      return [entry.index, entry.leaf];
    });
    try {
      await verifyEntries(root, subject, given, proofFromJSON(item.proof));
    } catch (error) {
      throw fail("completeness", `${subject}: ${error.reason || error.message || error}`);
    }
  }
}

/** The decoded path segments of a URI (or of a bare path); null if one does not decode. */
function pathSegments(uri) {
  let path;
  try {
    path = new URL(uri).pathname;
  } catch {
    path = String(uri).split(/[?#]/)[0];
  }
  try {
    return path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** [lot, serial] of a GS1 Digital Link URI `.../01/{gtin}[/10/{lot}]/21/{serial}` or `.../p/{serial}`. */
export function uriParts(uri) {
  const segments = pathSegments(uri);
  if (segments === null) return [null, null];
  for (let start = 0; start < segments.length; start++) {
    if (segments[start] === "p" && segments.length === start + 2) return [null, segments[start + 1]];
    if (segments[start] === "01") {
      const pairs = {};
      for (let i = start + 2; i + 1 < segments.length; i += 2) pairs[segments[i]] = segments[i + 1];
      return [pairs["10"] ?? null, pairs["21"] ?? null];
    }
  }
  return [null, null];
}

/** The GTIN of a Digital Link URI (.../01/{gtin}/...); null for .../p/{serial}. */
export function uriGtin(uri) {
  const segments = pathSegments(uri) || [];
  for (let i = 0; i + 1 < segments.length; i++) if (segments[i] === "01") return segments[i + 1];
  return null;
}

/** The signed registrations of the package's product and producer, made before the packaging, and bound. */
function registrations(pkg, entries) {
  const products = new Map(), orgs = new Map();
  for (const entry of byIndex(entries)) {
    const body = entry.body;
    if (body.type === PRODUCT_REGISTER && isObject(body.product)) {
      if (!products.has(body.product.id)) products.set(body.product.id, entry);
    } else if (body.type === ORG_REGISTER && isObject(body.organisation)) {
      if (!orgs.has(body.organisation.id)) orgs.set(body.organisation.id, entry);
    }
  }
  const productId = pkg.body.product_id, orgId = pkg.body.org;
  const registered = products.get(productId);
  if (registered === undefined || registered.index >= pkg.index) {
    throw fail("registration", `product ${productId} has no signed registration before the packaging`);
  }
  const product = registered.body.product;
  if (product.organisation_id !== orgId) {
    throw fail("binding", `the packaging is signed by org:${orgId}, but product ${productId} is registered to `
      + `org:${product.organisation_id}`, pkg.index);
  }
  const producer = orgs.get(orgId);
  if (producer === undefined || producer.index >= pkg.index) {
    throw fail("registration", `organisation ${orgId} has no signed registration before the packaging`);
  }
  return [product, producer.body.organisation];
}

/** A signed photo's SHA-256s and sizes, as both verifiers give them; null if absent or malformed. */
function signedPhoto(photo) {
  if (!isObject(photo) || typeof photo.sha256 !== "string" || !HEX64.test(photo.sha256)) return null;
  const variants = (Array.isArray(photo.variants) ? photo.variants : [])
    .filter((v) => isObject(v) && typeof v.sha256 === "string" && HEX64.test(v.sha256)
      && (v.type === "image/webp" || v.type === "image/jpeg"))
    .map((v) => ({ width: v.width ?? null, height: v.height ?? null, type: v.type, sha256: v.sha256 }));
  return { sha256: photo.sha256, width: photo.width ?? null, height: photo.height ?? null, variants };
}

/** The photo of the zone `zone` registers, from its newest zone.profile signed by the zone's organisation. */
function zonePhoto(zone, entries) {
  let newest = null;
  for (const entry of entries.values()) {
    const signed = entry.body.zone;
    if (entry.body.type === ZONE_PROFILE && isObject(signed) && signed.id === zone.body.zone.id
        && entry.body.org === zone.body.org && (newest === null || entry.index > newest.index)) {
      newest = entry;
    }
  }
  return newest === null ? null : signedPhoto(newest.body.zone.photo);
}

/**
 * The product's photo and shops from its newest product.profile in the bundle (signed by its producer or the
 * authority, checked with every signature): a photo is its signed SHA-256s (shown only once the bytes fetched
 * hash to them: photoMatches), a shop an https link. As tracer.proofs.verdict._profile.
 */
function profile(product, entries) {
  let newest = null;
  for (const entry of entries.values()) {
    const signed = entry.body.product;
    if (entry.body.type === PRODUCT_PROFILE && isObject(signed) && signed.id === product.id
        && signed.organisation_id === product.organisation_id && (newest === null || entry.index > newest.index)) {
      newest = entry;
    }
  }
  if (newest === null) return { photo: null, shops: [], profile_index: null };
  const signed = newest.body.product;
  const photo = signedPhoto(signed.photo);
  const shops = (Array.isArray(signed.shops) ? signed.shops : [])
    .filter((s) => isObject(s) && typeof s.label === "string" && typeof s.url === "string"
      && s.url.startsWith("https://") && s.url.length <= 300 && ![...s.url].some((c) => c.charCodeAt(0) < 33))
    .map((s) => ({ label: s.label, url: s.url }));
  return { photo, shops, profile_index: newest.index };
}

/** Whether `bytes` (an ArrayBuffer of a fetched photo file) hash to the SHA-256 `signed` (hex). */
export async function photoMatches(bytes, signed) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return typeof signed === "string" && hex === signed;
}

function checkUriAndSummary(bundle, pkg, product, producer) {
  const [lot, serial] = uriParts(bundle.uri);
  if (serial !== bundle.serial || (lot !== null && lot !== pkg.body.lot_id)) {
    throw fail("uri", "the package URI does not name this serial and its signed lot");
  }
  const gtin = uriGtin(bundle.uri);
  if (gtin !== null && gtin !== product.gtin) {
    throw fail("uri", `the package URI names GTIN ${gtin}, the signed product ${product.gtin}`);
  }
  const summary = bundle.package, shown = summary.product;
  if (summary.lot_id !== pkg.body.lot_id || (isObject(shown) && shown.id !== pkg.body.product_id)) {
    throw fail("summary", "the display summary names another lot or product than the signed packaging");
  }
  for (const [what, signed] of [["product", product], ["producer", producer]]) {
    const named = summary[what];
    if (isObject(named) && named.name !== signed.name) {
      throw fail("summary", `the display summary's ${what} name differs from its signed registration`);
    }
  }
}

function facts(pkg, lin, entries, today) {
  const body = pkg.body;
  const made = [...lin.made].sort((a, b) => a.index - b.index);
  const result = {
    lot_id: body.lot_id ?? null, product_id: body.product_id ?? null, packed_on: body.packed_on ?? null,
    expires_on: body.expires_on ?? null, net_content: body.net_content ?? null, packaging_index: pkg.index,
    lots: lin.lots,
    harvests: made.filter((e) => e.body.type === "harvest").map((e) => ({ lot_id: e.body.lot.id ?? null,
      name: e.body.lot.name ?? null, harvested_on: e.body.harvested_on ?? null, zone_id: e.body.zone_id ?? null })),
    steps: made.filter((e) => e.body.type === "process").map((e) => ({ step: e.body.step ?? null,
      processed_on: e.body.processed_on ?? null })),
    zones: [...lin.zones].sort((a, b) => a.index - b.index)
      .map((z) => ({ ...pick(z.body.zone, ["id", "name", "commune", "district", "province", "crop"]),
        photo: zonePhoto(z, entries) })),
  };
  const reasons = [];
  let status = "genuine";
  const lots = new Set(lin.lots);
  const ordered = byIndex(entries);
  result.shipments = ordered.filter((e) => e.body.type === "ship" && lots.has(e.body.lot_id))
    .map((e) => ({ shipped_on: e.body.shipped_on ?? null, sale_point: e.body.sale_point ?? null }));
  const certs = ordered.filter((e) => e.body.type === "certify" && isObject(e.body.certificate)
    && e.body.certificate.product_id === body.product_id);
  if (certs.length) {
    const cert = certs[certs.length - 1].body.certificate;
    result.certificate = pick(cert, ["id", "stars", "decision_no", "issuing_level", "issued_on", "valid_until"]);
    if (typeof cert.valid_until === "string" && cert.valid_until < today) {
      status = "expired";
      reasons.push(`the OCOP certificate ${cert.decision_no} expired on ${cert.valid_until}`);
    }
  }
  const recalls = ordered.filter((e) => e.body.type === "recall" && Array.isArray(e.body.lot_ids)
    && e.body.lot_ids.some((l) => lots.has(String(l))));
  if (recalls.length) {
    const last = recalls[recalls.length - 1];
    status = "recalled";
    result.recall = { index: last.index, reason: last.body.reason ?? null, recorded_at: last.body.recorded_at ?? null };
    reasons.unshift(`recalled: ${last.body.reason}`);
  }
  return { facts: result, reasons, status };
}

export function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/**
 * Verify a package bundle against the pinned log verifier key. Resolves to the verdict
 * {status: genuine|recalled|expired, serial, lot_id, product_id, checkpoint, entries, facts, reasons, advice}
 * (status from signed entries only; advice: the server's unsigned copy warning, never part of the verdict);
 * rejects with a VerificationError whose `code` names the failed step.
 */
export async function verifyPackageBundle(bundle, logKey, { today = localToday() } = {}) {
  checkShape(bundle);
  if (bundle.log_key !== logKey) throw fail("log-key", "the bundle names a different log key than the one pinned");
  let cp;
  try {
    cp = await verifyCheckpoint(bundle.checkpoint, logKey);
  } catch (error) {
    throw fail("checkpoint", error.reason || String(error));
  }
  const entries = await readEntries(bundle, cp);
  const keys = await readKeys(bundle, entries);
  for (const entry of byIndex(entries)) await checkSignature(entry, keys);
  const pkg = await packageEntry(bundle, entries);
  const lin = lineage(pkg, entries);
  const [product, producer] = registrations(pkg, entries);
  await checkComplete(bundle, cp, entries, requiredSubjects(pkg, lin, keys));
  checkUriAndSummary(bundle, pkg, product, producer);
  const out = facts(pkg, lin, entries, today);
  out.facts.product = { ...pick(product, PRODUCT_FACTS), ...profile(product, entries) };
  out.facts.producer = pick(producer, PRODUCER_FACTS);
  return {
    status: out.status, serial: bundle.serial, lot_id: String(pkg.body.lot_id), product_id: Number(pkg.body.product_id || 0),
    checkpoint: { origin: cp.origin, size: cp.size, root: toBase64(cp.root) }, entries: entries.size,
    facts: out.facts, reasons: out.reasons, advice: unsignedAdvice(bundle.scans),
  };
}

/** The server's unsigned copy warning as lines to show beside the verdict (empty when there is none). */
export function unsignedAdvice(scans) {
  if (!isObject(scans) || scans.copy_warning !== true) return [];
  const said = Array.isArray(scans.reasons) ? scans.reasons.filter((r) => typeof r === "string") : [];
  return said.length ? said.map((r) => `unsigned copy warning: ${r}`) : ["unsigned copy warning"];
}
