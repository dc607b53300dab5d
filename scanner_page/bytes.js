// Byte helpers shared by the scanner's modules (verify.js, vmap.js, witness.js): one copy, and no import
// cycle between the verifiers (the server names each file by a hash that covers the names it imports).

/** The parts one after another, as one Uint8Array. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Whether two byte arrays are equal, in time that does not depend on where they differ. */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
