// scanner_page/decode.js: BarcodeDetector where it reads QR codes, and jsQR fetched only otherwise, once.
// Run: node --test tests/scanner/decode.test.mjs (tests/scanner/test_node_runner.py runs every *.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";

import { JSQR_URL, chooseEngine, makeDecoder } from "../../scanner_page/decode.js";

function fakeDetector(formats, found) {
  const made = [];
  class Detector {
    constructor(options) { made.push(options); }
    static async getSupportedFormats() { return formats; }
    async detect() { return found; }
  }
  return { Detector, made };
}

function env(extra) {
  const loads = [];
  const drawn = [];
  return {
    loads,
    drawn,
    loadScript: async (url) => {
      loads.push(url);
      return (data, width, height, options) => (data.length === width * height * 4
        ? { data: `jsqr:${width}x${height}:${options.inversionAttempts}` } : null);
    },
    pixels: (source, width, height) => {
      drawn.push([width, height]);
      return { data: new Uint8ClampedArray(width * height * 4), width, height };
    },
    ...extra,
  };
}

test("no BarcodeDetector: jsQR", async () => {
  assert.equal(await chooseEngine({}), "jsqr");
});

test("a BarcodeDetector without qr_code: jsQR", async () => {
  assert.equal(await chooseEngine({ BarcodeDetector: fakeDetector(["ean_13"], []).Detector }), "jsqr");
});

test("a BarcodeDetector whose formats cannot be listed: jsQR", async () => {
  class Broken { static async getSupportedFormats() { throw new Error("no"); } }
  assert.equal(await chooseEngine({ BarcodeDetector: Broken }), "jsqr");
});

test("a BarcodeDetector reading QR codes decodes and jsQR is never fetched", async () => {
  const { Detector, made } = fakeDetector(["qr_code", "ean_13"], [{ rawValue: "https://x.test/p/ABC" }]);
  const e = env({ BarcodeDetector: Detector });
  const decoder = makeDecoder(e);
  assert.equal(decoder.state.engine, null);
  assert.equal(await decoder.decode({}, 640, 480, false), "https://x.test/p/ABC");
  assert.equal(await decoder.decode({}, 640, 480, true), "https://x.test/p/ABC");
  assert.equal(decoder.state.engine, "native");
  assert.deepEqual(made, [{ formats: ["qr_code"] }]); // one detector, for QR codes only
  assert.deepEqual(e.loads, []);
  assert.deepEqual(e.drawn, []);
});

test("nothing found by the detector: null", async () => {
  const e = env({ BarcodeDetector: fakeDetector(["qr_code"], []).Detector });
  assert.equal(await makeDecoder(e).decode({}, 10, 10, false), null);
});

test("the fallback fetches jsQR once, scales frames to 800 px and asks for inversion on photos", async () => {
  const e = env({});
  const decoder = makeDecoder(e);
  assert.equal(await decoder.decode({}, 1600, 1200, false), "jsqr:800x600:dontInvert");
  assert.equal(await decoder.decode({}, 400, 300, true), "jsqr:400x300:attemptBoth");
  assert.equal(decoder.state.engine, "jsqr");
  assert.deepEqual(e.loads, [JSQR_URL]);
  assert.match(JSQR_URL, /\/vendor\/jsQR\.js$/);
});

test("a failed fetch of jsQR (offline) is tried again on the next frame", async () => {
  let attempts = 0;
  const e = env({});
  e.loadScript = async () => {
    attempts += 1;
    if (attempts === 1) throw new Error("offline");
    return () => ({ data: "found" });
  };
  const decoder = makeDecoder(e);
  await assert.rejects(decoder.decode({}, 10, 10, false), /offline/);
  assert.equal(await decoder.decode({}, 10, 10, false), "found");
  assert.equal(attempts, 2);
});
