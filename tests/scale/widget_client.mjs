// A website visitor for the scale test: the widget's own socket.io-client (the
// version rasa-webchat ships, from web/node_modules) speaking the widget's
// protocol to Rasa's socket.io channel through nginx, under the test's control.
//
//   node tests/scale/widget_client.mjs URL SESSION_ID
//
// Like rasa-webchat it connects with long polling, upgrades to a websocket, asks
// for its session (session_request with its session id) on every connection,
// including each reconnection, and sends user_uttered with that session id.
// Commands, one JSON object per line on stdin:
//   {"say": text, "expect": n}   once the session is confirmed on the current
//                                connection, send text and wait for n bot messages
//   {"expect": n}                wait for n bot messages nobody asked for
//   {"quit": true}
// Reports, one JSON object per line on stdout: {"event": "confirmed", session,
// transport, connections}, {"event": "disconnected", reason}, {"event": "turn",
// text, replies}, {"event": "error", message}. Every wait is bounded by TIMEOUT_MS.

import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "web", "package.json"));
const { io } = require("socket.io-client");

const TIMEOUT_MS = 120000;
const [url, sessionId] = process.argv.slice(2);
if (!url || !sessionId) {
  console.error("usage: node widget_client.mjs URL SESSION_ID");
  process.exit(2);
}

const report = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const received = []; // bot messages not yet handed to a command
let wakeUp = () => {};
let confirmed = false;
let connections = 0;

const socket = io(url, {
  path: "/socket.io/",
  transports: ["polling", "websocket"],
  reconnectionDelay: 500,
  reconnectionDelayMax: 2000,
});
socket.on("connect", () => {
  connections += 1;
  confirmed = false;
  socket.emit("session_request", { session_id: sessionId });
});
socket.on("session_confirm", (session) => {
  confirmed = session === sessionId;
  report({ event: "confirmed", session, transport: socket.io.engine.transport.name, connections });
  wakeUp();
});
socket.on("disconnect", (reason) => {
  confirmed = false;
  report({ event: "disconnected", reason });
});
socket.on("bot_uttered", (message) => {
  received.push(message);
  wakeUp();
});

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

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  try {
    if (command.quit) break;
    if (command.say !== undefined) {
      await until(() => confirmed && socket.connected, "confirmed session");
      socket.emit("user_uttered", { message: command.say, session_id: sessionId });
    }
    const replies = await take(command.expect || 0);
    report({ event: "turn", text: command.say ?? null, replies });
  } catch (error) {
    report({ event: "error", message: String(error && error.message ? error.message : error) });
  }
}
socket.close();
process.exit(0);
