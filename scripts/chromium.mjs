// Finding and launching headless Chromium for the browser tests (browser/run_browser_suite.mjs,
// examples/chat/run_chat_suite.mjs): the binary of the npm package @sparticuz/chromium, or $CHROMIUM_PATH.
// Usage: import { launchChromium } from "../../scripts/chromium.mjs";
import { existsSync } from "node:fs";
import process from "node:process";

// Flags for a headless run as root in a container with no network but the loopback. Of
// @sparticuz/chromium's own `args` we keep only --no-zygote: the rest tune Chromium for AWS Lambda
// (--single-process) or turn off what the tests are about (--disable-web-security). Playwright
// gives every launch a fresh temporary profile (its own --user-data-dir) and removes it on close.
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-domain-reliability",
  "--no-default-browser-check",
  "--no-pings",
];

/** `$CHROMIUM_PATH` when set, else the binary that @sparticuz/chromium unpacks (to /tmp). */
export async function findChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const { default: chromium } = await import("@sparticuz/chromium");
  return await chromium.executablePath();
}

/**
 * Launches headless Chromium with playwright-core; rejects with a message saying what to do
 * when there is no Chromium.
 */
export async function launchChromium() {
  let path;
  try {
    path = await findChromium();
  } catch (error) {
    path = `(${error.message})`;
  }
  if (!existsSync(path)) {
    throw new Error(
      `no Chromium at ${path}: run npm install (it brings @sparticuz/chromium) or set ` +
        "CHROMIUM_PATH to a Chromium binary",
    );
  }
  const { chromium } = await import("playwright-core");
  return await chromium.launch({ executablePath: path, headless: true, args: chromiumArgs });
}
