// verify.js with Node's WebCrypto Ed25519 (Node 20 has it): the usual path.
import { checkCases } from "./agreement.mjs";

checkCases("webcrypto");
