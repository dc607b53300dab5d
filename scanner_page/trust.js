// What this device trusts about the ledger, kept in localStorage: the log's C2SP verifier key, pinned on first
// use, and the largest checkpoint it verified ({origin, size, root, at}), which every later checkpoint must
// extend (RFC 9162 consistency). Forgetting both is the inspector's deliberate way back to a first use, for a
// ledger that was legitimately replaced (a new log origin); nothing else ever removes them.

import { parseVerifierKey } from "./verify.js";

export const KEY_STORE = "ocop.logKey";
export const HISTORY_STORE = "ocop.checkpoint";
// The witness policy the programme office handed out (witness.js: k of n fresh cosignatures), installed from
// its provisioning link (/scan#witnesses=<base64url of the policy text>) when none is held.
export const WITNESS_STORE = "ocop.witnessPolicy";

/** The stored checkpoint, if it is well formed and (when `origin` is given) of that log. */
export function storedCheckpoint(storage, origin = null) {
  try {
    const stored = JSON.parse(storage.getItem(HISTORY_STORE) || "null");
    if (!stored || typeof stored.origin !== "string" || !Number.isInteger(stored.size)) return null;
    return origin === null || stored.origin === origin ? stored : null;
  } catch {
    return null;
  }
}

export function keepCheckpoint(storage, cp, now = new Date()) {
  storage.setItem(HISTORY_STORE, JSON.stringify({ origin: cp.origin, size: cp.size, root: cp.root, at: now.toISOString() }));
}

/** What the settings panel shows: {key: {text, name, keyid} | null, checkpoint: {origin, size, at} | null}. */
export async function describeTrust(storage) {
  const text = storage.getItem(KEY_STORE);
  let key = null;
  if (text) {
    try {
      const parsed = await parseVerifierKey(text);
      key = { text, name: parsed.name, keyid: parsed.hash };
    } catch {
      key = { text, name: null, keyid: null }; // shown as stored, so the inspector sees what is there
    }
  }
  const cp = storedCheckpoint(storage);
  const at = cp && typeof cp.at === "string" && !Number.isNaN(Date.parse(cp.at)) ? cp.at : null;
  return { key, checkpoint: cp && { origin: cp.origin, size: cp.size, at } };
}

/** Remove the pinned key, the stored checkpoint and the witness policy: the next scan trusts what it is
 * shown, as on first use, and a new policy can be installed from its link. */
export function forgetTrust(storage) {
  storage.removeItem(KEY_STORE);
  storage.removeItem(HISTORY_STORE);
  storage.removeItem(WITNESS_STORE);
}
