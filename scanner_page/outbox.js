// Inspections recorded without a network wait here (IndexedDB, database "ocop-outbox") until the phone is
// back online, then are sent in the order they were made. Each carries the phone's own id for it
// (client_id, a random UUID): the server signs an inspection once per id and answers a repeat with the
// receipt of the first, so an answer lost on a bad network, or a second tab sending too, never doubles one.
//
// The queue's logic (flushOutbox) is written against a small store interface so that Node's test runner can
// drive it (tests/scanner/outbox.test.mjs); idbStore adapts IndexedDB to it in the browser.

export const DB_NAME = "ocop-outbox";
const STORE = "inspections";

/** What send(item) may answer: sent (remove it), retry later (stop here), refused for good (keep, marked). */
export const SENT = "sent";
export const RETRY = "retry";
export const REFUSED = "refused";

/** A queued inspection: the command (with client_id) and the photo's bytes, kept until it is sent. */
export function newItem(command, photo, now = Date.now()) {
  return { client_id: command.client_id, command, photo: photo || null, queued_at: now, error: null };
}

/**
 * Send every waiting item in order, each at most once per call; stop at the first RETRY (offline, server
 * busy). A REFUSED item stays with its reason (for the inspector to see) and is not sent again.
 * Returns { sent: [receipts], refused: [items], waiting: count still to send }.
 */
export async function flushOutbox(store, send) {
  const result = { sent: [], refused: [], waiting: 0 };
  const items = (await store.all()).filter((item) => !item.error).sort((a, b) => a.queued_at - b.queued_at);
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    let answer;
    try {
      answer = await send(item);
    } catch {
      answer = { status: RETRY };
    }
    if (answer.status === SENT) {
      await store.delete(item.client_id);
      result.sent.push(answer.receipt);
    } else if (answer.status === REFUSED) {
      await store.put({ ...item, error: String(answer.detail || "refused") });
      result.refused.push({ ...item, error: answer.detail });
    } else {
      result.waiting = items.length - i;
      break;
    }
  }
  return result;
}

/** The store interface over IndexedDB (put, delete, all), opened once. */
export function idbStore(indexedDB) {
  let opened = null;
  const db = () => {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "client_id" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => { opened = null; reject(request.error); };
      });
    }
    return opened;
  };
  const run = async (mode, work) => {
    const database = await db();
    return new Promise((resolve, reject) => {
      const tx = database.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  };
  return {
    put: (item) => run("readwrite", (s) => s.put(item)),
    delete: (id) => run("readwrite", (s) => s.delete(id)),
    all: () => run("readonly", (s) => s.getAll()),
  };
}

/** How an HTTP answer to a send counts: 2xx sent; 408, 429 and 5xx (and 401/403: signed out, CSRF expired)
 * to try again later; any other 4xx refused for good. */
export function classify(status) {
  if (status >= 200 && status < 300) return SENT;
  if (status === 408 || status === 429 || status >= 500 || status === 401 || status === 403) return RETRY;
  return REFUSED;
}
