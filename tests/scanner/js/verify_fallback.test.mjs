// verify.js with WebCrypto's Ed25519 hidden (hide_ed25519.js, imported before verify.js): the vendored
// @noble/ed25519 must give the same verdicts as the WebCrypto path and as Python.
import "./hide_ed25519.js";
import { checkCases } from "./agreement.mjs";

checkCases("noble");
