// A website visitor for the scale test in headless Chromium (Debian's, as in
// tests/browser/): the real chat page (web/, served by scripts/serve_web.py) with
// the rasa-webchat widget, whose socket.io client reaches Rasa through nginx.
// Driven line by line, like widget_client.mjs, so that the test can hold it
// between two messages while a server is taken out.
//
//   node tests/scale/widget_browser.mjs PAGE_URL CHROMIUM PROFILE_DIR
//
// The widget reports on the page's console ("connect:ID", "session_confirm:ID
// session_id:SESSION", a disconnect's reason); the bot messages are read from
// the socket.io frames (websocket frames and long-polling responses) as sent,
// and what the visitor sees from the page itself.
// Commands, one JSON object per line on stdin:
//   {"say": text, "expect": n}  once the session is confirmed on the current
//                               connection, type text and press send; wait for n bot messages
//   {"expect": n}               wait for n bot messages nobody asked for (the greeting)
//   {"history": n, "waitMs": m} what the page shows, once it shows n bot messages
//                               (or after m ms, TIMEOUT_MS by default)
//   {"reload": true}            reload the page; wait until the session is confirmed again
//   {"quit": true}
// Reports, one JSON object per line on stdout: {"event": "confirmed", session,
// connections}, {"event": "disconnected", reason}, {"event": "turn", text, replies},
// {"event": "history", bot, user}, {"event": "reloaded"}, {"event": "error", message}.
// Every wait is bounded by TIMEOUT_MS.

import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "web", "package.json"));
const { chromium } = require("playwright-core");

const TIMEOUT_MS = 120000;
const BOT = ".rw-message .rw-response";
const USER = ".rw-message .rw-client";
const INPUT = "textarea.rw-new-message";
const SEND = "button.rw-send";
// socket.io-client's disconnect reasons, which the widget logs as they are
const REASONS = new Set(["transport close", "transport error", "ping timeout", "io server disconnect"]);

const [pageUrl, executablePath, userDataDir] = process.argv.slice(2);
if (!pageUrl || !executablePath || !userDataDir) {
  console.error("usage: node widget_browser.mjs PAGE_URL CHROMIUM PROFILE_DIR");
  process.exit(2);
}

const report = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const received = []; // bot messages not yet handed to a command
let wakeUp = () => {};
let confirmed = false;
let connections = 0;

// Engine.IO 4 packets ("\x1e" between the packets of one polling response); a
// socket.io event is "42" followed by its JSON array.
function frames(payload) {
  for (const packet of String(payload).split("\x1e")) {
    if (!packet.startsWith("42")) continue;
    let event;
    try {
      event = JSON.parse(packet.slice(2));
    } catch {
      continue;
    }
    if (Array.isArray(event) && event[0] === "bot_uttered") {
      received.push(event[1]);
      wakeUp();
    }
  }
}

function watch(page) {
  page.on("console", (message) => {
    const text = message.text();
    if (text.startsWith("connect:")) {
      connections += 1;
      confirmed = false;
    } else if (text.startsWith("session_confirm:")) {
      confirmed = true;
      report({ event: "confirmed", session: text.split(" session_id:")[1], connections });
      wakeUp();
    } else if (REASONS.has(text)) {
      confirmed = false;
      report({ event: "disconnected", reason: text });
    }
  });
  page.on("websocket", (socket) => {
    if (socket.url().includes("/socket.io/")) socket.on("framereceived", (frame) => frames(frame.payload));
  });
  page.on("response", async (response) => {
    const url = response.url();
    if (!url.includes("/socket.io/") || !url.includes("transport=polling")) return;
    if (response.request().method() !== "GET") return;
    try {
      frames(await response.text());
    } catch {
      // the page went away (reload) before the body was read
    }
  });
}

async function until(condition, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => {
      wakeUp = resolve;
      setTimeout(resolve, 250);
    });
  }
}

async function take(count) {
  await until(() => received.length >= count, `${count} bot message(s) (got ${received.length})`);
  return received.splice(0, count);
}

// the messages shown, without the "typing" bubble the widget shows (as a bot
// message) while it delays the next one
const texts = (page, selector) =>
  page.$$eval(selector, (nodes) =>
    nodes.filter((n) => !n.querySelector(".rw-typing-indication")).map((n) => n.innerText.trim())
  );

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 900, height: 900 },
  locale: "zh-CN",
  timeout: TIMEOUT_MS,
});
const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(TIMEOUT_MS);
watch(page);
page.on("pageerror", (error) => report({ event: "error", message: `page: ${error}` }));
await page.goto(pageUrl, { waitUntil: "load" });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  try {
    if (command.quit) break;
    if (command.reload) {
      confirmed = false;
      await page.reload({ waitUntil: "load" });
      await until(() => confirmed, "confirmed session after the reload");
      report({ event: "reloaded" });
      continue;
    }
    if (command.history !== undefined) {
      // what is shown is reported even when it falls short: the test says what is missing
      const complete = await page
        .waitForFunction(
          ([selector, count]) =>
            [...document.querySelectorAll(selector)].filter((n) => !n.querySelector(".rw-typing-indication"))
              .length >= count && !document.querySelector(".rw-typing-indication"),
          [BOT, command.history],
          { timeout: command.waitMs ?? TIMEOUT_MS, polling: 200 }
        )
        .then(() => true, () => false);
      report({ event: "history", complete, bot: await texts(page, BOT), user: await texts(page, USER) });
      continue;
    }
    if (command.say !== undefined) {
      await until(() => confirmed, "confirmed session");
      await page.fill(INPUT, command.say);
      await page.click(SEND);
    }
    const replies = await take(command.expect || 0);
    report({ event: "turn", text: command.say ?? null, replies });
  } catch (error) {
    report({ event: "error", message: String(error && error.message ? error.message : error).split("\n")[0] });
  }
}
await context.close();
process.exit(0);
