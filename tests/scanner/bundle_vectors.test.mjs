// scanner_page/verify.js against the package-bundle vectors (tests/vectors/bundles/vectors.json, written by
// tests/scanner/bundle_vectors.py and judged by the Python verifier in tests/scanner/test_bundle_vectors.py):
// the same verdict, a status or the failing step's code, on every case. Run: node --test tests/scanner/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { verifyPackageBundle } from "../../scanner_page/verify.js";

const VECTORS = fileURLToPath(new URL("../vectors/bundles/vectors.json", import.meta.url));
const { today, cases } = JSON.parse(readFileSync(VECTORS, "utf8"));

test("the vectors cover valid bundles and each omission", () => {
  const verdicts = new Set(cases.map((c) => c.verdict));
  for (const v of ["genuine", "recalled", "expired", "completeness", "binding", "registration"]) assert.ok(verdicts.has(v), v);
});

for (const { name, bundle, key, verdict } of cases) {
  test(name, async () => {
    let got;
    try {
      got = (await verifyPackageBundle(bundle, key, { today })).status;
    } catch (error) {
      got = error.code || `exception: ${error}`;
    }
    assert.equal(got, verdict);
  });
}
