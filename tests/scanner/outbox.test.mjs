// scanner_page/outbox.js: inspections queued offline are sent in order, each removed only once the server
// has it, a failed send stops the round (tried again later), a refusal is kept with its reason and not
// sent again. Run: node --test tests/scanner/outbox.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";

import { REFUSED, RETRY, SENT, classify, flushOutbox, newItem } from "../../scanner_page/outbox.js";

function memoryStore(items = []) {
  const map = new Map(items.map((item) => [item.client_id, item]));
  return {
    map,
    put: async (item) => { map.set(item.client_id, structuredClone(item)); },
    delete: async (id) => { map.delete(id); },
    all: async () => [...map.values()].map((item) => structuredClone(item)),
  };
}

const item = (id, at) => newItem({ type: "inspect", serial: `S${id}`, client_id: `id-${id}` }, null, at);

test("a new item keeps its command, photo and time, with no error", () => {
  const made = newItem({ client_id: "x" }, null, 5);
  assert.deepEqual(made, { client_id: "x", command: { client_id: "x" }, photo: null, queued_at: 5, error: null });
});

test("everything sent, oldest first, and removed", async () => {
  const store = memoryStore([item(2, 20), item(1, 10), item(3, 30)]);
  const order = [];
  const result = await flushOutbox(store, async (it) => {
    order.push(it.client_id);
    return { status: SENT, receipt: { ledger_index: order.length } };
  });
  assert.deepEqual(order, ["id-1", "id-2", "id-3"]);
  assert.equal(result.sent.length, 3);
  assert.equal(result.waiting, 0);
  assert.equal(store.map.size, 0);
});

test("offline in the middle: the rest waits, nothing is lost or skipped", async () => {
  const store = memoryStore([item(1, 10), item(2, 20), item(3, 30)]);
  const result = await flushOutbox(store, async (it) => ({ status: it.client_id === "id-2" ? RETRY : SENT }));
  assert.equal(result.sent.length, 1);
  assert.equal(result.waiting, 2);
  assert.deepEqual([...store.map.keys()].sort(), ["id-2", "id-3"]);
});

test("a thrown error (fetch failed) counts as try again later", async () => {
  const store = memoryStore([item(1, 10)]);
  const result = await flushOutbox(store, async () => { throw new TypeError("Failed to fetch"); });
  assert.equal(result.waiting, 1);
  assert.equal(store.map.size, 1);
});

test("an answer lost after the server recorded it: the item is sent again with the same client_id", async () => {
  const store = memoryStore([item(1, 10)]);
  const seen = [];
  await flushOutbox(store, async (it) => { seen.push(it.command.client_id); throw new TypeError("lost"); });
  await flushOutbox(store, async (it) => { seen.push(it.command.client_id); return { status: SENT, receipt: {} }; });
  assert.deepEqual(seen, ["id-1", "id-1"]);
  assert.equal(store.map.size, 0);
});

test("a refusal is kept with its reason and not sent again; the queue goes on", async () => {
  const store = memoryStore([item(1, 10), item(2, 20)]);
  const calls = [];
  const send = async (it) => {
    calls.push(it.client_id);
    return it.client_id === "id-1" ? { status: REFUSED, detail: "no package" } : { status: SENT, receipt: {} };
  };
  const result = await flushOutbox(store, send);
  assert.equal(result.refused.length, 1);
  assert.equal(store.map.get("id-1").error, "no package");
  await flushOutbox(store, send);
  assert.deepEqual(calls, ["id-1", "id-2"]);
});

test("HTTP statuses: 2xx sent; 401, 403, 408, 429 and 5xx later; other 4xx refused", () => {
  for (const s of [200, 201]) assert.equal(classify(s), SENT);
  for (const s of [401, 403, 408, 429, 500, 502, 503]) assert.equal(classify(s), RETRY);
  for (const s of [400, 404, 409, 413, 422]) assert.equal(classify(s), REFUSED);
});
