// The verdict cases that tests/scanner/test_node_verifier.py writes (bundle, pinned key, Python's verdict),
// checked with scanner_page/verify.js under Node's test runner: the same answer as Python for every case, and
// every signature checked by the Ed25519 implementation the test file expects.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

export function checkCases(expectedBackend) {
  const path = process.env.OCOP_VERDICT_CASES;
  assert.ok(path, "OCOP_VERDICT_CASES names the cases file (tests/scanner/test_node_verifier.py writes it)");
  const { today, cases } = JSON.parse(readFileSync(path, "utf8"));
  const verifier = import("../../../scanner_page/verify.js");

  for (const { name, bundle, key, expected } of cases) {
    test(name, async () => {
      const m = await verifier;
      let got;
      try {
        const v = await m.verifyPackageBundle(bundle, key, { today });
        got = { ok: true, status: v.status, facts: v.facts, reasons: v.reasons, advice: v.advice, entries: v.entries };
      } catch (error) {
        got = { ok: false, code: error.code || `exception: ${error}` };
      }
      assert.deepEqual(got, expected);
    });
  }

  test(`every signature was checked by ${expectedBackend}`, async () => {
    const m = await verifier;
    assert.equal(m.ed25519Backend(), expectedBackend);
  });
}
