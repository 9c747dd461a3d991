// Tablet sign-in: type the badge code, or scan the badge's QR code with the camera.
import { forgetBallots } from "./tablet_storage.js";

const strings = JSON.parse(document.getElementById("signin-i18n").textContent);
const input = document.getElementById("code");
const scanButton = document.getElementById("scan-qr");
const scanner = document.getElementById("scanner");
const video = document.getElementById("scanner-video");
const status = document.getElementById("scanner-status");
const form = document.getElementById("signin-form");
const BADGE_PATH = /^\/tablet\/signin\/[0-9A-Za-z-]+\/$/;
const TYPED_CODE = /^[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){3}$/;

// Whoever reaches this page is signed out (or was, by a revoked badge or an expired session):
// nothing of a ballot stays on the tablet — receipts, command ids, unsent ballots.
forgetBallots();

// -- typing: upper case, a dash after every four characters ---------------------------------
input.addEventListener("input", () => {
  const raw = input.value.toUpperCase().replace(/[^0-9A-Z]/g, "").slice(0, 16);
  const formatted = raw.match(/.{1,4}/g)?.join("-") ?? "";
  if (formatted !== input.value) input.value = formatted;
});
if (!document.getElementById("signin-error")) input.focus();
else input.select();

// -- scanning: only where the browser has BarcodeDetector and a camera ----------------------
let stream = null;
let scanning = false;

function stopScanning() {
  scanning = false;
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  video.srcObject = null;
  scanner.hidden = true;
  scanButton.hidden = false;
}

/** What to do with the text of a QR code: a badge URL of this site, or a typed-style code. */
function handleScan(raw) {
  let url = null;
  try {
    url = new URL(raw, location.href);
  } catch {
    url = null;
  }
  if (url && /^https?:$/.test(url.protocol) && url.host === location.host && BADGE_PATH.test(url.pathname)) {
    status.textContent = strings.signing_in;
    stopScanning();
    location.assign(url.pathname);
    return true;
  }
  if (TYPED_CODE.test(raw.trim())) {
    stopScanning();
    input.value = raw.trim().toUpperCase();
    form.requestSubmit();
    return true;
  }
  status.textContent = strings.not_badge;
  return false;
}

async function startScanning() {
  let detector;
  try {
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
  } catch (error) {
    console.error(error);
    stopScanning();
    status.textContent = strings.camera_error;
    input.focus();
    alertError(strings.camera_error);
    return;
  }
  scanner.hidden = false;
  scanButton.hidden = true;
  video.srcObject = stream;
  await video.play().catch(() => {});
  scanning = true;
  const loop = async () => {
    if (!scanning) return;
    try {
      const codes = await detector.detect(video);
      for (const code of codes) {
        if (handleScan(code.rawValue)) return;
      }
    } catch {
      // a frame that could not be read: try the next one
    }
    setTimeout(loop, 200);
  };
  loop();
}

function alertError(message) {
  let box = document.getElementById("signin-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "signin-error";
    box.className = "alert alert-error";
    box.setAttribute("role", "alert");
    form.before(box);
  }
  box.dataset.errorCode = "camera.unavailable";
  box.textContent = message;
}

async function scanningPossible() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return false;
  } catch {
    return false;
  }
  return true;
}

scanningPossible().then((possible) => {
  scanButton.hidden = !possible;
  document.getElementById("scan-divider").hidden = !possible;
  document.body.dataset.scanner = possible ? "available" : "unavailable";
});
scanButton.addEventListener("click", startScanning);
document.getElementById("scanner-cancel").addEventListener("click", stopScanning);
