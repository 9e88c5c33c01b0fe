// A real headless Chromium (Debian's /usr/bin/chromium) driven by puppeteer-core, for the
// Python tests: one JSON command per line on stdin, one JSON answer per line on stdout.
//
//   {"id": 1, "op": "open", "url": "http://127.0.0.1:PORT/seed/", "files": {URL: PATH},
//    "notifications": true}                          -> {"id": 1, "ok": true, "value": PAGE}
//   {"id": 2, "op": "wait", "page": PAGE, "js": "document.title === 'x'", "ms": 10000}
//   {"id": 3, "op": "eval", "page": PAGE, "js": "document.title"} -> value
//   {"id": 4, "op": "type", "page": PAGE, "selector": "#message", "text": "hi"}
//   {"id": 5, "op": "click", "page": PAGE, "selector": "#send"}
//   {"id": 6, "op": "screenshot", "page": PAGE, "path": "/tmp/page.png"}
//   {"id": 7, "op": "errors", "page": PAGE}   -> the page's uncaught errors so far
//   {"id": 8, "op": "close", "page": PAGE}
//
// Each page gets its own browser context (no shared storage). Requests leave only for
// loopback addresses; a URL listed in "files" is answered from that file instead (how the
// unchanged seed page gets its CDN scripts offline); anything else is refused. With
// "notifications", the page may notify, is told it is hidden, and every Notification it
// creates is recorded in window.__notifications.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const puppeteer = require("puppeteer-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const TYPES = { ".js": "text/javascript", ".html": "text/html", ".css": "text/css" };

const pages = new Map();
let nextPage = 1;
let browser;

const RECORD_NOTIFICATIONS = () => {
  window.__notifications = [];
  Object.defineProperty(document, "hidden", { get: () => true });
  Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: (options || {}).body });
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  window.Notification = Recorded;
};

async function open({ url, files = {}, notifications = false }) {
  const context = await browser.createBrowserContext();
  if (notifications) {
    await context.overridePermissions(new URL(url).origin, ["notifications"]);
  }
  const page = await context.newPage();
  const id = nextPage++;
  const entry = { page, context, errors: [] };
  pages.set(id, entry);
  page.on("pageerror", (error) => entry.errors.push(String(error.message || error)));
  await page.setViewport({ width: 800, height: 620 });
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const target = request.url();
    if (Object.prototype.hasOwnProperty.call(files, target)) {
      const file = files[target];
      request.respond({
        status: 200,
        contentType: TYPES[path.extname(file)] || "application/octet-stream",
        headers: { "Access-Control-Allow-Origin": "*" },
        body: fs.readFileSync(file),
      });
    } else if (target.startsWith("data:") || LOOPBACK.has(new URL(target).hostname)) {
      request.continue();
    } else {
      entry.errors.push(`refused a request off this machine: ${target}`);
      request.abort("blockedbyclient");
    }
  });
  if (notifications) {
    await page.evaluateOnNewDocument(RECORD_NOTIFICATIONS);
  }
  await page.goto(url, { waitUntil: "load" });
  return id;
}

function pageOf(command) {
  const entry = pages.get(command.page);
  if (!entry) {
    throw new Error(`no page ${command.page}`);
  }
  return entry;
}

const OPS = {
  open,
  async wait(command) {
    const { page } = pageOf(command);
    // Re-checked in the page every 25 ms: "mutation" polling would miss conditions that
    // change no DOM (an input's value, pusher-js's connection state).
    await page.waitForFunction(command.js, { timeout: command.ms || 10000, polling: 25 });
    return true;
  },
  async eval(command) {
    return pageOf(command).page.evaluate(command.js);
  },
  async type(command) {
    await pageOf(command).page.type(command.selector, command.text);
    return true;
  },
  async click(command) {
    await pageOf(command).page.click(command.selector);
    return true;
  },
  async screenshot(command) {
    await pageOf(command).page.screenshot({ path: command.path });
    return command.path;
  },
  async errors(command) {
    return pageOf(command).errors;
  },
  async close(command) {
    const { context } = pageOf(command);
    pages.delete(command.page);
    await context.close();
    return true;
  },
};

function answer(reply) {
  process.stdout.write(JSON.stringify(reply) + "\n");
}

async function main() {
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root (CI) cannot use Chromium's sandbox; the pages are our own, on loopback.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run"],
  });
  answer({ id: 0, ok: true, value: await browser.version() });
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      let command;
      try {
        command = JSON.parse(line);
        const op = OPS[command.op];
        if (!op) {
          throw new Error(`unknown op ${command.op}`);
        }
        answer({ id: command.id, ok: true, value: await op(command) });
      } catch (error) {
        answer({ id: command ? command.id : null, ok: false, error: String(error.stack || error) });
      }
    });
  });
  lines.on("close", () => {
    queue.then(() => browser.close()).then(() => process.exit(0));
  });
}

main().catch((error) => {
  answer({ id: 0, ok: false, error: String(error.stack || error) });
  process.exit(1);
});
