// OCOP Tracer witness policy for the browser (ES module): k of n known witnesses must have cosigned the
// checkpoint, recently (c2sp.org/tlog-cosignature, cosignature/v1). The same rules as
// tracer/ledger/policy.py; tests/vectors/witness/vectors.json holds both to the same answers
// (tests/scanner/witness.test.mjs, tests/witness/test_policy_vectors.py).
//
// Policy text: `witness <vkey, type 0x04>` lines, `quorum <k>`, `freshness <seconds>` (default 86400), `#`
// comments. A cosignature counts when it is by a listed witness (name and key ID), verifies over
// "cosignature/v1\ntime <t>\n" + the checkpoint body, is no older than the bound and at most MAX_SKEW seconds
// in the future; each witness counts once (its newest line).

import { b64decode, concat, ed25519Verify, sha256 } from "./verify.js";

export const DEFAULT_FRESHNESS = 24 * 3600;
export const MAX_SKEW = 300;
const enc = new TextEncoder();
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const validName = (name) => name.length > 0 && !name.includes("+") && !/\s/.test(name) && !/[\x00-\x1f\x7f]/.test(name);

export class PolicyError extends Error {
  constructor(message) {
    super(message);
    this.name = "PolicyError";
  }
}

/** Parse a cosigner vkey `name+keyid+base64(0x04 || key)`: {name, keyId (hex), publicKey}. */
export async function parseCosignerKey(text) {
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  const name = text.slice(0, first), keyId = text.slice(first + 1, second);
  if (first < 0 || second < 0 || !validName(name) || !/^[0-9a-f]{8}$/.test(keyId)) {
    throw new PolicyError(`malformed cosigner key ${JSON.stringify(text)}`);
  }
  let raw;
  try {
    raw = b64decode(text.slice(second + 1), "cosigner key");
  } catch {
    throw new PolicyError("cosigner key: not canonical base64");
  }
  if (raw.length !== 33 || raw[0] !== 0x04) throw new PolicyError("the cosigner key is not type 0x04");
  const publicKey = raw.subarray(1);
  const digest = await sha256(concat(enc.encode(name), Uint8Array.of(0x0a), raw));
  if (hex(digest.subarray(0, 4)) !== keyId) throw new PolicyError("the cosigner key ID does not match");
  return { name, keyId, publicKey };
}

/** Parse a policy's text: {quorum, cosigners, freshness}; PolicyError naming the line. */
export async function parseWitnessPolicy(text) {
  const cosigners = [];
  let quorum = null, freshness = DEFAULT_FRESHNESS;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].split("#")[0].trim();
    if (!line) continue;
    const space = line.indexOf(" ");
    const word = space < 0 ? line : line.slice(0, space), value = space < 0 ? "" : line.slice(space + 1).trim();
    try {
      if (word === "witness") cosigners.push(await parseCosignerKey(value));
      else if ((word === "quorum" || word === "freshness") && /^[0-9]+$/.test(value)) {
        if (word === "quorum") quorum = Number(value);
        else freshness = Number(value);
      } else throw new PolicyError(`unknown directive ${JSON.stringify(line)}`);
    } catch (error) {
      throw new PolicyError(`witness policy, line ${i + 1}: ${error.message}`);
    }
  }
  const names = cosigners.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new PolicyError("witness policy: a witness is named twice");
  if (quorum === null || quorum < 1 || quorum > cosigners.length) {
    throw new PolicyError(`witness policy: quorum must be 1 to ${cosigners.length} (the witnesses listed)`);
  }
  if (freshness < 1) throw new PolicyError("witness policy: freshness must be at least 1 second");
  return { quorum, cosigners, freshness };
}

async function cosignatureBy(body, line, cosigner) {
  if (!line.startsWith("\u2014 ")) return null;
  const rest = line.slice(2), space = rest.indexOf(" ");
  if (space < 0 || rest.slice(0, space) !== cosigner.name) return null;
  let raw;
  try {
    raw = b64decode(rest.slice(space + 1), "cosignature");
  } catch {
    return null;
  }
  if (raw.length !== 4 + 8 + 64 || hex(raw.subarray(0, 4)) !== cosigner.keyId) return null;
  const time = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
  if (time > (1n << 63n) - 1n) return null;
  const message = concat(enc.encode(`cosignature/v1\ntime ${time}\n`), enc.encode(body));
  if (!(await ed25519Verify(cosigner.publicKey, raw.subarray(12), message))) return null;
  return { name: cosigner.name, timestamp: Number(time) };
}

/**
 * The witnesses' cosignatures on `note` under `policy` at `now` (POSIX seconds):
 * {satisfied, fresh: [{name, timestamp}], stale: [...], needed, newest (timestamp or null), code}
 * with code null when satisfied, "stale" when older cosignatures would have met the quorum, else "quorum".
 */
export async function evaluateWitnesses(note, policy, now) {
  const split = note.lastIndexOf("\n\n");
  const body = split < 0 ? "" : note.slice(0, split + 1);
  const lines = split < 0 ? [] : note.slice(split + 2).split("\n").filter(Boolean);
  const newest = new Map();
  for (const line of lines) {
    for (const cosigner of policy.cosigners) {
      const found = await cosignatureBy(body, line, cosigner);
      if (!found) continue;
      if (found.timestamp <= now + MAX_SKEW) {
        const held = newest.get(found.name);
        if (!held || found.timestamp > held.timestamp) newest.set(found.name, found);
      }
      break;
    }
  }
  const all = [...newest.values()];
  const fresh = all.filter((c) => now - c.timestamp <= policy.freshness);
  const stale = all.filter((c) => now - c.timestamp > policy.freshness);
  const satisfied = fresh.length >= policy.quorum;
  const code = satisfied ? null : all.length >= policy.quorum ? "stale" : "quorum";
  const times = all.map((c) => c.timestamp);
  return { satisfied, fresh, stale, needed: policy.quorum, newest: times.length ? Math.max(...times) : null, code };
}
