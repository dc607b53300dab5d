// scanner_page/witness.js against the shared vectors (tests/vectors/witness/vectors.json, written by
// tests/witness/witness_vectors.py and judged by tracer/ledger/policy.py in tests/witness/test_policy_vectors.py):
// the same answer on every case. Run: node --test tests/scanner/witness.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { PolicyError, evaluateWitnesses, parseWitnessPolicy } from "../../scanner_page/witness.js";

const VECTORS = fileURLToPath(new URL("../vectors/witness/vectors.json", import.meta.url));
const doc = JSON.parse(readFileSync(VECTORS, "utf8"));

test("there are cases", () => {
  assert.ok(doc.cases.length >= 10 && doc.bad_policies.length >= 5);
});

for (const c of doc.cases) {
  test(`case: ${c.name}`, async () => {
    const policy = await parseWitnessPolicy(c.policy);
    const result = await evaluateWitnesses(c.note, policy, c.now);
    assert.equal(result.satisfied, c.satisfied);
    assert.deepEqual(result.fresh.map((x) => x.name).sort(), c.fresh);
    assert.deepEqual(result.stale.map((x) => x.name).sort(), c.stale);
    assert.equal(result.code, c.code);
  });
}

for (const c of doc.bad_policies) {
  test(`bad policy: ${c.name}`, async () => {
    await assert.rejects(parseWitnessPolicy(c.policy), (error) => error instanceof PolicyError && error.message.includes(c.error));
  });
}
