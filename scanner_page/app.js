// OCOP Tracer scanner: read a package code (camera, photo or typed), fetch its proof bundle and verify it here,
// against the log key pinned on this device. Everything shown from data goes through textContent.
// Settings show what this device trusts (trust.js) and forget it, after a confirmation, for a new ledger.

import { VerificationError, b64decode, localToday, photoMatches, sha256, uriParts, verifyConsistency, verifyPackageBundle } from "./verify.js";
import { translator } from "./i18n.js";
import { TileReader } from "./tiles.js";
import { KEY_STORE, WITNESS_STORE, describeTrust, forgetTrust, keepCheckpoint, storedCheckpoint } from "./trust.js";
import { evaluateWitnesses, parseWitnessPolicy } from "./witness.js";
import { makeDecoder, scriptLoader } from "./decode.js";
import { REFUSED, SENT, classify, flushOutbox, idbStore, newItem } from "./outbox.js";

const $ = (id) => document.getElementById(id);
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_SYMBOLS = ALPHABET + "*~$=U"; // Crockford's check symbols, values 0..36 (tracer/codes/serials.py)
const PROOFS = "ocop-proofs-v1";
const MAX_PHOTO = 900 * 1024;
const timings = { start: 0 };
const query = new URLSearchParams(location.search);

let lang = query.get("lang") || localStorage.getItem("ocop.lang") || "vi";
if (!["vi", "en"].includes(lang)) lang = "vi";
let t = translator(lang);
let stream = null;
let scanning = false;
let busy = false;
let last = null; // the last verdict shown, re-rendered when the language changes
let session = { inspector: false };
let keyChanged = false;
let repin = false; // after "forget": pin the key the server gives now, not the one in this page, maybe loaded long ago

const since = () => Math.round(performance.now());

// -- language ----------------------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-tp]")) el.placeholder = t(el.dataset.tp);
  document.title = `${t("title")} · OCOP Tracer`;
  if (last) render(last);
  if (!$("trust").hidden) showStored();
}

$("lang").addEventListener("click", () => {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem("ocop.lang", lang);
  t = translator(lang);
  applyLanguage();
});

// -- the pinned log key ------------------------------------------------------------------------------------

async function servedKey() {
  const meta = document.querySelector('meta[name="ocop-log-key"]');
  const embedded = meta && !meta.content.startsWith("{{") ? meta.content : "";
  if (embedded && !repin) return embedded;
  try {
    const response = await fetch("/api/v1/ledger/keys", { headers: { Accept: "application/json" }, cache: "no-store" });
    const doc = await response.json();
    return doc.log_key || doc.verifier_key || (doc.log && doc.log.verifier_key) || embedded || null;
  } catch {
    return embedded || null;
  }
}

async function pinnedKey() {
  let pinned = localStorage.getItem(KEY_STORE);
  const served = await servedKey();
  if (!pinned && served) {
    localStorage.setItem(KEY_STORE, served);
    pinned = served;
    repin = false;
  }
  keyChanged = Boolean(pinned && served && pinned !== served);
  return pinned || "";
}

// -- the ledger's history, as this device saw it -----------------------------------------------------------
//
// A log that showed this device one history and now shows another (a fork, or a rewritten past) is caught
// here: every new checkpoint must extend the largest one seen before, by an RFC 9162 consistency proof that
// is checked on the device. A smaller checkpoint (a cache, a replica behind) must be a prefix of it.

/** The hashes of a consistency proof from `m` to `n`: read through the log's tiles (static files a CDN can
 * serve, tiles.js), else from the JSON proof endpoint; null if neither answers. Either way it is verified. */
async function consistencyProof(m, n) {
  try {
    const reader = new TileReader(n, async (path) => {
      const response = await fetch(`/log/${path}`);
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    });
    const proof = await reader.consistencyProof(m);
    document.body.dataset.proofSource = "tiles";
    return proof;
  } catch {
    try {
      const response = await fetch(`/api/v1/ledger/proof/consistency?from=${m}&to=${n}`,
                                   { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) return null;
      document.body.dataset.proofSource = "json";
      return (await response.json()).hashes.map((h) => b64decode(h, "consistency proof"));
    } catch {
      return null;
    }
  }
}

/** "extends" | "same" | "new" | "unchecked" (no proof could be fetched) | "forked". */
async function checkHistory(cp) {
  const stored = storedCheckpoint(localStorage, cp.origin);
  const keep = () => keepCheckpoint(localStorage, cp);
  if (!stored) { keep(); return "new"; }
  if (stored.size === cp.size) return stored.root === cp.root ? "same" : "forked";
  const [older, newer] = stored.size < cp.size ? [stored, cp] : [cp, stored];
  const proof = await consistencyProof(older.size, newer.size);
  if (proof === null) return "unchecked";
  try {
    await verifyConsistency(older.size, newer.size, b64decode(older.root), b64decode(newer.root), proof);
  } catch {
    return "forked";
  }
  if (newer === cp) keep();
  return "extends";
}

// -- the witness policy ------------------------------------------------------------------------------------
//
// With a policy installed (k of n witnesses, a freshness bound), a genuine verdict is green only when the
// checkpoint carries k valid cosignatures no older than the bound; otherwise it is amber ("unwitnessed") and
// says what is missing. Without one, verdicts are as before. A policy comes from the programme office's
// provisioning link; one held is never replaced by a link (forget the device's trust first).

async function installPolicyFromLink() {
  const match = /^#witnesses=([A-Za-z0-9_-]+={0,2})$/.exec(location.hash);
  if (!location.hash.startsWith("#witnesses=")) return;
  history.replaceState(null, "", location.pathname + location.search);
  let text, policy;
  try {
    if (!match) throw new Error("malformed link");
    text = new TextDecoder("utf-8", { fatal: true }).decode(b64decode(match[1], "witness policy", true));
    policy = await parseWitnessPolicy(text);
  } catch {
    return showMessage(t("policyBad"));
  }
  const held = localStorage.getItem(WITNESS_STORE);
  if (held && held !== text) return showMessage(t("policyHeld", { settings: t("settings"), forget: t("forget") }));
  localStorage.setItem(WITNESS_STORE, text);
  showMessage(t("policyInstalled", { k: policy.quorum, n: policy.cosigners.length }));
}

async function witnessed(bundle) {
  const text = localStorage.getItem(WITNESS_STORE);
  if (!text) return null;
  try {
    const policy = await parseWitnessPolicy(text);
    const result = await evaluateWitnesses(bundle.checkpoint, policy, Math.floor(Date.now() / 1000));
    return { ...result, hours: policy.freshness / 3600 };
  } catch {
    return { satisfied: false, code: "quorum", fresh: [], stale: [], needed: 1, newest: null, hours: 24 };
  }
}

/** POSIX seconds as dd/mm/yyyy HH:MM in Vietnam time (UTC+7, no daylight saving). */
function vietnamTime(seconds) {
  const d = new Date((seconds + 7 * 3600) * 1000);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

// -- reading a code ----------------------------------------------------------------------------------------

class Mistyped extends Error {}

// A serial typed by hand: Crockford's reading (any case, O as 0, I and L as 1, hyphens and spaces ignored),
// 12 characters, or 13 with the check character printed on labels (the value mod 37), which must match.
function normaliseSerial(typed) {
  const map = { O: "0", I: "1", L: "1" };
  const chars = [...typed.trim().toUpperCase()].filter((ch) => ch !== "-" && ch !== " ");
  if (chars.length !== 12 && chars.length !== 13) throw new Error(t("serialLength", { n: chars.length }));
  let out = "";
  let value = 0;
  for (const ch of chars.slice(0, 12)) {
    const mapped = map[ch] || ch;
    if (!ALPHABET.includes(mapped)) throw new Error(`'${ch}'`);
    out += mapped;
    value = (value * 32 + ALPHABET.indexOf(mapped)) % 37;
  }
  if (chars.length === 13 && CHECK_SYMBOLS.indexOf(map[chars[12]] || chars[12]) !== value) throw new Mistyped();
  return out;
}

function readCode(text) {
  let value = text.trim();
  if (/^[^/:]+\.[^/:]+(:\d+)?\//.test(value)) value = `https://${value}`; // the short address on labels
  if (/^https?:\/\//i.test(value) || value.startsWith("/")) {
    let [, serial] = uriParts(value);
    let host = null;
    try {
      const url = new URL(value, location.href);
      if (url.host !== location.host) host = url.host;
      const segments = url.pathname.split("/").filter(Boolean);
      if (!serial && segments.length === 1) serial = decodeURIComponent(segments[0]);
    } catch { /* a path */ }
    if (!serial) throw new Error(value.slice(0, 80));
    return { serial: normaliseSerial(serial), otherHost: host };
  }
  return { serial: normaliseSerial(value), otherHost: null };
}

function onCode(text) {
  if (busy) return;
  let code;
  try {
    code = readCode(text);
  } catch (error) {
    $("input-error").textContent = error instanceof Mistyped ? t("mistyped") : t("badCode", { detail: error.message });
    return;
  }
  $("input-error").textContent = "";
  stopCamera();
  check(code.serial, code.otherHost);
}

$("manual").addEventListener("submit", (event) => {
  event.preventDefault();
  timings.start = since();
  onCode($("code").value);
});

// -- camera ------------------------------------------------------------------------------------------------

const video = $("video");
const canvas = document.createElement("canvas");
const ctx = canvas.getContext("2d", { willReadFrequently: true });
// BarcodeDetector where the browser has one; jsQR (fetched only then) where it has not (decode.js).
const decoder = makeDecoder({
  BarcodeDetector: window.BarcodeDetector,
  loadScript: scriptLoader(document, window),
  pixels(source, width, height) {
    canvas.width = width;
    canvas.height = height;
    ctx.drawImage(source, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  },
});

async function decodeFrame(source, width, height, invert) {
  const text = await decoder.decode(source, width, height, invert);
  document.body.dataset.decoder = decoder.state.engine || "";
  return text;
}

async function startCamera() {
  stopCamera();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    $("camera-status").textContent = t("noCamera");
    return;
  }
  $("camera-status").textContent = t("cameraStarting");
  const attempts = [
    { video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false },
    { video: true, audio: false },
  ];
  for (const constraints of attempts) {
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
      break;
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "SecurityError") break;
    }
  }
  if (!stream) {
    $("camera-status").textContent = t("cameraDenied");
    return;
  }
  video.srcObject = stream;
  try { await video.play(); } catch { /* autoplay of a muted stream is allowed; keep scanning regardless */ }
  timings.camera = since();
  $("camera-status").textContent = t("cameraOn");
  scanning = true;
  scan();
}

async function scan() {
  if (!scanning) return;
  if (video.readyState >= 2 && video.videoWidth) {
    timings.firstFrame = timings.firstFrame || since();
    let text = null;
    try {
      text = await decodeFrame(video, video.videoWidth, video.videoHeight, false);
    } catch { /* no decoder yet (offline before jsQR was kept): try the next frame */ }
    if (text && scanning) {
      timings.decoded = since();
      onCode(text);
      return;
    }
  }
  setTimeout(scan, 30);
}

function stopCamera() {
  scanning = false;
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  video.srcObject = null;
}

$("start").addEventListener("click", () => {
  timings.start = since();
  showScanner();
  startCamera();
});

$("photo-code").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  timings.start = since();
  try {
    const bitmap = await createImageBitmap(file);
    const text = await decodeFrame(bitmap, bitmap.width, bitmap.height, true);
    if (!text) throw new Error("none");
    onCode(text);
  } catch {
    $("input-error").textContent = t("noQr");
  }
});

// -- proof bundles and verdicts ----------------------------------------------------------------------------

async function saved(url) {
  if (!("caches" in window)) return null;
  try {
    return (await (await caches.open(PROOFS)).match(url)) || null;
  } catch {
    return null;
  }
}

async function save(url, bundle) {
  if (!("caches" in window)) return;
  try {
    const body = JSON.stringify(bundle);
    const headers = { "Content-Type": "application/json", "X-Ocop-Saved-At": new Date().toISOString() };
    await (await caches.open(PROOFS)).put(url, new Response(body, { headers }));
  } catch { /* storage full or denied: verification still stands */ }
}

async function forgetSavedProofs() {
  if (!("caches" in window)) return;
  try {
    await caches.delete(PROOFS);
  } catch { /* storage denied: nothing was kept either */ }
}

async function check(serial, otherHost) {
  busy = true;
  showMessage(t("checking", { serial }));
  const url = `/api/v1/packages/${serial}/proof`;
  let response = null;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch {
    response = await saved(url);
  }
  busy = false;
  timings.fetched = since();
  if (!response) return showMessage(t("offlineNoProof"));
  if (response.status === 404) return render({ kind: "unknown", serial, otherHost });
  if (!response.ok) return showMessage(t("serverError", { status: response.status }));
  const savedAt = response.headers.get("X-Ocop-Saved-At");
  let bundle;
  try {
    bundle = await response.json();
  } catch {
    return render({ kind: "failed", serial, otherHost, code: "malformed", reason: "not JSON" });
  }
  const key = await pinnedKey();
  let verdict;
  try {
    verdict = await verifyPackageBundle(bundle, key);
  } catch (error) {
    const code = error instanceof VerificationError ? error.code : "internal";
    return render({ kind: "failed", serial, otherHost, code, reason: error.reason || String(error), bundle });
  }
  const history = await checkHistory(verdict.checkpoint);
  if (history === "forked") {
    return render({ kind: "failed", serial, otherHost, code: "history", reasonKey: "forked", reasonValues: verdict.checkpoint,
                    bundle });
  }
  if (!savedAt) await save(url, bundle);
  const witness = await witnessed(bundle);
  const kind = verdict.status === "genuine" && witness && !witness.satisfied ? "unwitnessed" : verdict.status;
  render({ kind, serial, otherHost, verdict, bundle, savedAt, history, witness });
}

function showScanner() {
  $("scanner").hidden = false;
  $("verdict").hidden = true;
  $("inspect").hidden = true;
  $("trust").hidden = true;
  $("input-error").textContent = "";
  document.body.dataset.verdict = "";
  last = null;
}

function showMessage(text) {
  $("input-error").textContent = text;
}

const day = (iso) => (typeof iso === "string" && /^\d{4}-\d{2}-\d{2}/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : "");

function row(list, label, value, className) {
  if (!value) return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  if (className) dd.className = className;
  list.append(dt, dd);
}

function render(state) {
  last = state;
  const { kind, serial, verdict, bundle } = state;
  $("scanner").hidden = true;
  const section = $("verdict");
  section.hidden = false;
  section.className = `verdict ${kind}`;
  $("verdict-title").textContent = t(kind);
  $("verdict-lead").textContent = t(`${kind}Lead`, { serial });
  const reasons = $("reasons");
  reasons.replaceChildren();
  const addReason = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    reasons.append(li);
  };
  if (kind === "failed") {
    addReason(t(`code.${state.code}`));
    addReason(state.reasonKey ? t(state.reasonKey, state.reasonValues) : state.reason);
  }
  const otherLog = kind === "failed" && state.code === "log-key";
  if (otherLog && keyChanged) addReason(t("keyChanged"));
  // A new log is legitimate only if the programme office says so: explain, and point to the deliberate
  // "forget" in the settings. A forked history of the same key gets no such pointer: it stays a hard failure.
  if (otherLog) addReason(t("newLog", { settings: t("settings"), forget: t("forget") }));
  $("open-trust").hidden = !otherLog;
  if (verdict) reasonsOf(verdict).forEach(addReason);
  if (verdict && verdict.advice.length) addReason(t("copyAdvice"));
  if (state.otherHost) addReason(t("otherHost", { host: state.otherHost }));
  if (state.savedAt) addReason(t("offlineNote", { when: new Date(state.savedAt).toLocaleString(lang) }));
  if (state.history === "unchecked") addReason(t("historyUnchecked"));
  const witness = state.witness;
  if (witness && witness.satisfied) {
    addReason(t("witnessedAsOf", { count: witness.fresh.length, when: vietnamTime(witness.newest) }));
  } else if (witness) {
    addReason(t(witness.code === "stale" ? "witnessStale" : "witnessQuorum",
                { fresh: witness.fresh.length, needed: witness.needed, hours: witness.hours }));
  }
  const journey = $("journey");
  journey.replaceChildren();
  if (verdict) journal(journey, verdict, bundle);
  row(journey, t("serial"), serial);
  $("verdict-meta").textContent = verdict
    ? t("ledger", { origin: verdict.checkpoint.origin, size: verdict.checkpoint.size, entries: verdict.entries })
    : "";
  timings.verdict = since();
  document.body.dataset.verdict = kind;
  document.body.dataset.timings = JSON.stringify(timings);
  sessionReady.then(() => showInspection(state));
}

// Why a verdict is not green, in the reader's language, from the signed facts the verifier returned (its own
// reasons are English, for logs and the command line).
function reasonsOf(verdict) {
  const f = verdict.facts, out = [];
  if (f.recall) out.push(t("recalledBecause", { reason: f.recall.reason || "" }));
  const cert = f.certificate;
  if (cert && typeof cert.valid_until === "string" && cert.valid_until < localToday()) {
    out.push(t("certificateExpired", { decision: cert.decision_no || "", date: day(cert.valid_until) }));
  }
  return out;
}

function journal(list, verdict, bundle) {
  const f = verdict.facts;
  // Names from the signed registrations the verifier checked (issue #16), never from the unsigned summary.
  const product = f.product || {};
  const producer = f.producer || {};
  row(list, t("product"), [product.name, f.net_content].filter(Boolean).join(" · "));
  if (product.photo) signedPhoto(list, product.photo, product.name || "");
  row(list, t("producer"), [producer.name, producer.province].filter(Boolean).join(", "));
  for (const shop of product.shops || []) shopRow(list, shop);
  for (const zone of f.zones) {
    row(list, t("zone"), [zone.name, zone.commune, zone.district, zone.province].filter(Boolean).join(", "));
  }
  for (const harvest of f.harvests) row(list, t("harvested"), `${harvest.name || ""} · ${day(harvest.harvested_on)}`);
  for (const step of f.steps) row(list, t("processed"), `${step.step || ""} · ${day(step.processed_on)}`);
  row(list, t("packed"), day(f.packed_on));
  row(list, t("expires"), day(f.expires_on));
  if (f.certificate) {
    const stars = Math.max(0, Math.min(5, Number(f.certificate.stars) || 0));
    row(list, t("stars"), `${"★".repeat(stars)}${"☆".repeat(5 - stars)} (${stars}/5)`, "stars");
    row(list, t("certificate"), `${f.certificate.decision_no || ""}, ${t("validUntil", { date: day(f.certificate.valid_until) })}`);
  }
  for (const shipment of f.shipments) {
    const point = shipment.sale_point || {};
    row(list, t("shipped"), [point.name, point.province, day(shipment.shipped_on)].filter(Boolean).join(", "));
  }
  if (f.recall) row(list, t("recallReason"), f.recall.reason);
  row(list, t("lot"), f.lot_id);
  const scans = bundle.scans;
  if (scans && scans.count) {
    row(list, t("scans"), t("scansValue", { count: scans.count, first: day(scans.first_scan) }));
  }
}

// The product's photo, shown only once the bytes fetched hash to the SHA-256 its signed profile names: a file
// swapped on the server shows nothing (issue #20, item 3).
async function signedPhoto(list, photo, name) {
  const smallest = (photo.variants || []).filter((v) => v.type === "image/jpeg").sort((a, b) => a.width - b.width)[0];
  if (!smallest) return;
  try {
    const response = await fetch(`/photos/${smallest.sha256}.jpg`);
    if (!response.ok) return;
    const bytes = await response.arrayBuffer();
    if (!(await photoMatches(bytes, smallest.sha256))) return;
    const img = document.createElement("img");
    img.src = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
    img.alt = name;
    img.width = smallest.width;
    img.height = smallest.height;
    img.className = "photo";
    img.dataset.sha256 = smallest.sha256;
    const dd = document.createElement("dd");
    dd.append(img);
    list.prepend(dd);
  } catch {
    // offline or refused: no photo, the verdict stands without it
  }
}

function shopRow(list, shop) {
  if (typeof shop.url !== "string" || !shop.url.startsWith("https://")) return;
  const dt = document.createElement("dt");
  dt.textContent = t("whereToBuy");
  const dd = document.createElement("dd");
  const a = document.createElement("a");
  a.href = shop.url;
  a.rel = "noopener nofollow";
  a.textContent = shop.label;
  dd.append(a);
  list.append(dt, dd);
}

function scanAgain() {
  timings.start = since();
  delete timings.firstFrame;
  delete timings.decoded;
  showScanner();
  startCamera();
}

$("again").addEventListener("click", scanAgain);

// -- settings: what this device trusts, and forgetting it ----------------------------------------------------

function moment(iso) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

async function showStored() {
  const section = $("trust");
  delete section.dataset.stored;
  const { key, checkpoint } = await describeTrust(localStorage);
  const list = $("trust-stored");
  list.replaceChildren();
  row(list, t("trustLog"), (checkpoint && checkpoint.origin) || (key && key.name) || t("trustNone"));
  row(list, t("trustKey"), !key ? t("trustNone")
    : key.keyid ? t("trustKeyValue", { name: key.name, keyid: key.keyid }) : key.text.slice(0, 120));
  row(list, t("trustCheckpoint"), checkpoint ? t("trustSize", { size: checkpoint.size }) : t("trustNone"));
  if (checkpoint) row(list, t("trustStoredAt"), checkpoint.at ? moment(checkpoint.at) : t("trustUnknownTime"));
  const stored = Boolean(key || checkpoint);
  $("forget").disabled = !stored;
  section.dataset.stored = stored ? "yes" : "no";
}

function closeConfirm() {
  $("forget-confirm").hidden = true;
  $("forget").hidden = false;
}

function showTrust() {
  stopCamera();
  $("scanner").hidden = true;
  $("verdict").hidden = true;
  $("inspect").hidden = true;
  $("trust").hidden = false;
  document.body.dataset.verdict = "";
  last = null;
  closeConfirm();
  $("trust-status").textContent = "";
  showStored();
  $("trust-title").focus();
}

$("settings").addEventListener("click", showTrust);
$("open-trust").addEventListener("click", showTrust);
$("trust-back").addEventListener("click", scanAgain);

$("forget").addEventListener("click", () => {
  $("trust-status").textContent = "";
  $("forget").hidden = true;
  $("forget-confirm").hidden = false;
  $("forget-no").focus(); // the safe answer is the default one
});

function keepTrust() {
  closeConfirm();
  $("trust-status").textContent = t("trustKept");
  $("forget").focus();
}

$("forget-no").addEventListener("click", keepTrust);
$("forget-confirm").addEventListener("keydown", (event) => {
  if (event.key === "Escape") keepTrust();
});

$("forget-yes").addEventListener("click", async () => {
  forgetTrust(localStorage);
  await forgetSavedProofs(); // saved under the old trust: offline they would fail against the new key
  repin = true;
  keyChanged = false;
  closeConfirm();
  $("trust-status").textContent = t("trustForgotten");
  await showStored();
});

// -- inspectors --------------------------------------------------------------------------------------------

const SESSION_STORE = "ocop.inspector";

// The last session seen online is kept (without its CSRF token), so that an inspector who opens the scanner
// offline can still record inspections; they are sent, with a fresh token, once the phone is online.
async function loadSession() {
  try {
    const response = await fetch("/scan/session", { credentials: "same-origin", cache: "no-store" });
    if (response.ok) {
      session = await response.json();
      if (session.inspector) localStorage.setItem(SESSION_STORE, JSON.stringify({ inspector: true, name: session.name }));
      else localStorage.removeItem(SESSION_STORE);
      return true;
    }
  } catch { /* offline: below */ }
  try {
    session = JSON.parse(localStorage.getItem(SESSION_STORE)) || { inspector: false };
  } catch {
    session = { inspector: false };
  }
  return false;
}

function showInspection(state) {
  const section = $("inspect");
  section.hidden = !(session.inspector && state.bundle);
  if (section.hidden) return;
  const form = $("inspect-form");
  const suggested = { genuine: "pass", recalled: "fail", expired: "fail" }[state.kind] || "suspect";
  for (const input of form.elements.result) input.checked = input.value === suggested;
  if (!form.elements.province.value) form.elements.province.value = localStorage.getItem("ocop.province") || "";
  $("inspect-status").textContent = "";
}

async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const c = document.createElement("canvas");
    c.width = Math.round(bitmap.width * scale);
    c.height = Math.round(bitmap.height * scale);
    c.getContext("2d").drawImage(bitmap, 0, 0, c.width, c.height);
    return await new Promise((resolve) => c.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.85));
  } catch {
    return file;
  }
}

const hexOf = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

async function problemText(response) {
  try {
    const doc = await response.json();
    return doc.detail || doc.title || String(response.status);
  } catch {
    return String(response.status);
  }
}

// -- the outbox: inspections made offline, sent when the phone is back online (outbox.js) ----------------------

const outbox = "indexedDB" in window ? idbStore(window.indexedDB) : null;
let flushing = null;

async function sendItem(item) {
  const headers = { "X-CSRFToken": session.csrf_token || "", "Idempotency-Key": item.client_id };
  if (item.photo) {
    const upload = await fetch("/scan/photos", { method: "POST", credentials: "same-origin", body: item.photo,
      headers: { ...headers, "Content-Type": item.photo.type || "application/octet-stream", Accept: "application/json" } });
    if (classify(upload.status) !== SENT) return { status: classify(upload.status), detail: await problemText(upload) };
    const stored = await upload.json();
    if (stored.sha256 !== item.command.photo_sha256) return { status: REFUSED, detail: t("photoMismatch") };
  }
  const response = await fetch("/api/v1/events", { method: "POST", credentials: "same-origin",
    headers: { ...headers, "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(item.command) });
  const status = classify(response.status);
  if (status !== SENT) return { status, detail: await problemText(response) };
  return { status, receipt: await response.json() };
}

async function showOutbox(message) {
  if (!outbox) return;
  let items = [];
  try { items = await outbox.all(); } catch { return; }
  const waiting = items.filter((item) => !item.error).length;
  const refused = items.filter((item) => item.error);
  const parts = [];
  if (message) parts.push(message);
  if (waiting) parts.push(t("queuedCount", { n: waiting }));
  for (const item of refused) parts.push(t("queueRefused", { serial: item.command.serial, detail: item.error }));
  $("outbox").textContent = parts.join(" ");
  document.body.dataset.outbox = String(waiting);
}

/** Send what waits, once at a time (a second call while one runs waits for it). */
function flushQueue() {
  if (!outbox) return Promise.resolve();
  if (!flushing) {
    flushing = (async () => {
      try {
        if (!(await outbox.all()).some((item) => !item.error)) return;
        if (!navigator.onLine || !(await loadSession())) return showOutbox();
        if (!session.inspector) return showOutbox(t("signInToSend"));
        const result = await flushOutbox(outbox, sendItem);
        const last = result.sent[result.sent.length - 1];
        if (last) document.body.dataset.inspection = String(last.ledger_index);
        await showOutbox(last ? t("queueSent", { n: result.sent.length, index: last.ledger_index }) : "");
      } finally {
        flushing = null;
      }
    })();
  }
  return flushing;
}

$("inspect-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const status = $("inspect-status");
  status.textContent = t("recording");
  const command = { type: "inspect", serial: last.serial, result: form.elements.result.value,
    place: form.elements.place.value.trim(), client_id: crypto.randomUUID() };
  const province = form.elements.province.value.trim();
  const notes = form.elements.notes.value.trim();
  if (province) { command.province = province; localStorage.setItem("ocop.province", province); }
  if (notes) command.notes = notes;
  try {
    let photo = null;
    const file = form.elements.photo.files[0];
    if (file) {
      photo = await shrink(file);
      if (photo.size > MAX_PHOTO) throw new Error(t("photoTooLarge"));
      command.photo_sha256 = hexOf(await sha256(new Uint8Array(await photo.arrayBuffer())));
    }
    if (!outbox) { // no IndexedDB (a private window on some browsers): send now or not at all
      const answer = await sendItem(newItem(command, photo));
      if (answer.status !== SENT) throw new Error(answer.detail || t("offline"));
      status.textContent = t("recorded", { index: answer.receipt.ledger_index, keyid: answer.receipt.keyid });
      document.body.dataset.inspection = String(answer.receipt.ledger_index);
      return;
    }
    await outbox.put(newItem(command, photo));
    form.elements.notes.value = "";
    form.elements.photo.value = "";
    status.textContent = navigator.onLine ? t("recording") : t("queuedOffline");
    await flushQueue();
    if (navigator.onLine) await flushQueue(); // a send already under way when this one was queued
    const pending = (await outbox.all()).find((item) => item.client_id === command.client_id);
    if (!pending) status.textContent = t("recordedQueued", { index: document.body.dataset.inspection });
    else if (pending.error) status.textContent = t("recordFailed", { detail: pending.error });
    else status.textContent = t("queuedOffline");
  } catch (error) {
    status.textContent = t("recordFailed", { detail: error.message });
  }
});

window.addEventListener("online", () => { flushQueue(); });
setInterval(() => { if (navigator.onLine) flushQueue(); }, 30_000);

// -- start -------------------------------------------------------------------------------------------------

function online() {
  $("offline").textContent = navigator.onLine ? "" : t("offline");
}
window.addEventListener("online", online);
window.addEventListener("offline", online);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/scan/sw.js", { scope: "/scan" }).catch(() => {});
}

applyLanguage();
online();
pinnedKey();
const sessionReady = loadSession();
sessionReady.then(() => flushQueue()).catch(() => {});
const asked = query.get("s") || query.get("code");
installPolicyFromLink().finally(() => {
  if (asked) {
    onCode(asked);
  } else {
    startCamera();
  }
});
