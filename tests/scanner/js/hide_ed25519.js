// WebCrypto as on phones without Ed25519 (Chrome before 137, Safari before 17): importKey and verify answer
// an Ed25519 request with NotSupportedError, as those browsers do; every other algorithm works as before.
// A classic script (no import or export): Playwright adds it as an init script, Node's tests import it.
(() => {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return;
  const named = (algorithm) => String(typeof algorithm === "string" ? algorithm : algorithm && algorithm.name);
  const refuse = () => Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"));
  const importKey = subtle.importKey;
  const verify = subtle.verify;
  Object.defineProperty(subtle, "importKey", {
    configurable: true,
    value(format, keyData, algorithm, ...rest) {
      return named(algorithm).toLowerCase() === "ed25519" ? refuse() : importKey.call(subtle, format, keyData, algorithm, ...rest);
    },
  });
  Object.defineProperty(subtle, "verify", {
    configurable: true,
    value(algorithm, ...rest) {
      return named(algorithm).toLowerCase() === "ed25519" ? refuse() : verify.call(subtle, algorithm, ...rest);
    },
  });
})();
