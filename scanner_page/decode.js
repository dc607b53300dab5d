// Reading a QR code from a camera frame or a photo: the browser's own BarcodeDetector (Shape Detection API)
// where it reads QR codes, and otherwise jsQR, loaded only then (vendor/jsQR.js is 250 KB of the 260 KB a
// first visit would otherwise fetch). The choice is made once, on the first decode.
//
// makeDecoder(env) takes what it needs from the page (env.BarcodeDetector, env.loadScript, env.canvas) so that
// Node's test runner can drive it with fakes: tests/scanner/decode.test.mjs.

export const JSQR_URL = new URL("./vendor/jsQR.js", import.meta.url).href;
const MAX_SIDE = 800;

/** "native" when env.BarcodeDetector exists and lists qr_code among its formats, otherwise "jsqr". */
export async function chooseEngine(env) {
  const Detector = env.BarcodeDetector;
  if (typeof Detector !== "function") return "jsqr";
  try {
    const formats = typeof Detector.getSupportedFormats === "function" ? await Detector.getSupportedFormats() : [];
    return formats.includes("qr_code") ? "native" : "jsqr";
  } catch {
    return "jsqr";
  }
}

/** A <script> element's load as a promise (jsQR is a UMD bundle that sets window.jsQR, not an ES module). */
export function scriptLoader(doc, win) {
  return (src) => new Promise((resolve, reject) => {
    const script = doc.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => (win.jsQR ? resolve(win.jsQR) : reject(new Error("jsQR did not load")));
    script.onerror = () => reject(new Error("jsQR did not load"));
    doc.head.append(script);
  });
}

/**
 * decode(source, width, height, invert) -> the text of the first QR code, or null.
 * env: { BarcodeDetector?, loadScript(url) -> Promise<jsQR>, pixels(source, width, height) -> ImageData }.
 * `engine` says which one answered ("native" | "jsqr" | null before the first decode).
 */
export function makeDecoder(env) {
  let chosen = null; // Promise<"native" | "jsqr">
  let detector = null;
  let jsqr = null; // Promise<jsQR function>, kept once loaded; dropped on failure to try again later
  const state = { engine: null };

  function loadJsqr() {
    if (!jsqr) {
      jsqr = env.loadScript(JSQR_URL).catch((error) => {
        jsqr = null; // offline before the service worker kept it: try again on the next frame
        throw error;
      });
    }
    return jsqr;
  }

  async function decode(source, width, height, invert) {
    if (!chosen) chosen = chooseEngine(env);
    state.engine = await chosen;
    if (state.engine === "native") {
      if (!detector) detector = new env.BarcodeDetector({ formats: ["qr_code"] });
      const found = await detector.detect(source);
      return found.length ? String(found[0].rawValue) : null;
    }
    const read = await loadJsqr();
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const image = env.pixels(source, Math.round(width * scale), Math.round(height * scale));
    const found = read(image.data, image.width, image.height, { inversionAttempts: invert ? "attemptBoth" : "dontInvert" });
    return found ? found.data : null;
  }

  return { decode, state, preload: () => loadJsqr() };
}
