// Drives the chat page in headless Chromium (Debian's /usr/bin/chromium) with
// playwright-core from web/node_modules, following a scenario written by
// test_widget.py. Prints one JSON report on stdout; exits 0 when it ran every step
// (the Python test judges the report), 1 on a failed step, 2 on a bad invocation.
//
//   node tests/browser/drive_widget.mjs scenario.json
//
// Steps: {do: "open"}, {do: "reload"}, {do: "send", text}, {do: "click_reply", title},
// {do: "expect_bot", text, replies?} (waits for a bot message, sent after the previous
// step, that contains text; and, if given, for quick-reply buttons with these titles),
// {do: "expect_history", texts} (all texts visible without waiting for the bot),
// {do: "screenshot", path}, {do: "click", selector}, {do: "expect_shown", selector,
// shown} (whether the element is visible), {do: "answer_view"} (where the reply to the
// visitor's last message sits in the scrolled message list, for the report),
// {do: "staff_reply", console, token, find, text} (a staff member, in a second tab:
// signs in to the console, finds the ticket row holding `find` on /staff/tickets, opens
// its conversation and sends `text` with the reply form; the widget's tab stays open).
// scenario.viewport sets the window size (900x900 otherwise). A step may carry a
// "name" to find it in the report. Every wait is bounded by scenario.timeoutMs.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "web", "package.json"));
const { chromium } = require("playwright-core");

const BOT = ".rw-message .rw-response";
const USER = ".rw-message .rw-client";
const REPLY = ".rw-replies .rw-reply";
const INPUT = "textarea.rw-new-message";
const SEND = "button.rw-send";

function texts(page, selector) {
  return page.$$eval(selector, (nodes) => nodes.map((n) => n.innerText.trim()));
}

async function snapshot(page) {
  return {
    bot: await texts(page, BOT),
    user: await texts(page, USER),
    replies: await texts(page, REPLY),
  };
}

async function run(scenario) {
  const report = { steps: [], requests: [], console: [], pageErrors: [], ok: false };
  const context = await chromium.launchPersistentContext(scenario.userDataDir, {
    executablePath: scenario.chromium,
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
    viewport: scenario.viewport || { width: 900, height: 900 },
    locale: "zh-CN",
    timeout: scenario.timeoutMs,
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(scenario.timeoutMs);
    page.on("request", (request) => report.requests.push(request.url()));
    page.on("console", (message) => {
      if (["error", "warning"].includes(message.type())) {
        report.console.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => report.pageErrors.push(String(error)));

    let botSeen = 0; // bot messages already on screen before the current step
    for (const step of scenario.steps) {
      const entry = { ...step, ok: false };
      report.steps.push(entry);
      try {
        if (step.do === "open" || step.do === "reload") {
          if (step.do === "open") await page.goto(scenario.url, { waitUntil: "load" });
          else await page.reload({ waitUntil: "load" });
          await page.waitForSelector(".rw-conversation-container");
          botSeen = 0;
        } else if (step.do === "send") {
          botSeen = (await texts(page, BOT)).length;
          await page.fill(INPUT, step.text);
          await page.click(SEND);
        } else if (step.do === "click_reply") {
          botSeen = (await texts(page, BOT)).length;
          await page.locator(REPLY, { hasText: step.title }).first().click();
        } else if (step.do === "expect_bot") {
          await page.waitForFunction(
            ([selector, from, text, replies, replySelector]) => {
              const bot = [...document.querySelectorAll(selector)].slice(from);
              const shown = [...document.querySelectorAll(replySelector)].map((n) =>
                n.innerText.trim()
              );
              return (
                bot.some((n) => n.innerText.includes(text)) &&
                replies.every((title) => shown.includes(title))
              );
            },
            [BOT, botSeen, step.text, step.replies || [], REPLY],
            { timeout: scenario.timeoutMs, polling: 200 }
          );
        } else if (step.do === "expect_history") {
          // No waiting for the bot: the history must be there as soon as the widget is.
          await page.waitForTimeout(step.settleMs || 0);
          const seen = await snapshot(page);
          entry.missing = step.texts.filter(
            (text) => ![...seen.bot, ...seen.user].some((shown) => shown.includes(text))
          );
          if (entry.missing.length) throw new Error(`not in the history: ${entry.missing}`);
        } else if (step.do === "staff_reply") {
          botSeen = (await texts(page, BOT)).length;
          const staff = await context.newPage();
          try {
            await staff.goto(step.console + "tickets", { waitUntil: "load" });
            await staff.fill('input[name="token"]', step.token);
            await Promise.all([staff.waitForNavigation(), staff.click('button[type="submit"]')]);
            await staff.goto(step.console + "tickets", { waitUntil: "load" });
            const row = staff.locator("tr", { hasText: step.find }).first();
            entry.ticket = (await row.innerText()).trim();
            await Promise.all([staff.waitForNavigation(), row.locator("a").first().click()]);
            await staff.fill('form.reply textarea[name="text"]', step.text);
            await Promise.all([staff.waitForNavigation(), staff.click('form.reply button[type="submit"]')]);
            entry.transcript = await staff.$$eval(".transcript li.staff", (nodes) =>
              nodes.map((n) => n.innerText.trim())
            );
          } finally {
            await staff.close();
          }
        } else if (step.do === "click") {
          await page.click(step.selector);
        } else if (step.do === "expect_shown") {
          await page.waitForSelector(step.selector, { state: step.shown ? "visible" : "hidden" });
        } else if (step.do === "answer_view") {
          entry.view = await page.evaluate(() => {
            const box = document.querySelector(".rw-messages-container");
            const messages = [...box.querySelectorAll(".rw-message")];
            let start = null;
            for (let i = messages.length - 1; i >= 0; i--) {
              if (messages[i].querySelector(".rw-client")) break;
              if (messages[i].querySelector(".rw-response")) start = messages[i];
            }
            const frame = box.getBoundingClientRect();
            const first = start.getBoundingClientRect();
            return {
              boxHeight: frame.height,
              answerHeight: frame.bottom - first.top + box.scrollHeight - box.scrollTop - frame.height,
              startOffset: first.top - frame.top,
              startText: start.innerText.trim().slice(0, 40),
            };
          });
        } else if (step.do === "screenshot") {
          await page.screenshot({ path: step.path, fullPage: false });
        } else {
          throw new Error(`unknown step ${step.do}`);
        }
        entry.ok = true;
      } catch (error) {
        entry.error = String(error && error.message ? error.message : error).split("\n")[0];
        if (scenario.failureScreenshot) {
          await page.screenshot({ path: scenario.failureScreenshot }).catch(() => {});
        }
        entry.seen = await snapshot(page).catch(() => null);
        break;
      }
      entry.seen = await snapshot(page);
    }
    report.storage = await page
      .evaluate(() => Object.keys(window.localStorage))
      .catch(() => []);
    report.ok = report.steps.length === scenario.steps.length && report.steps.every((s) => s.ok);
  } finally {
    await context.close();
  }
  return report;
}

const path = process.argv[2];
if (!path) {
  console.error("usage: node drive_widget.mjs scenario.json");
  process.exit(2);
}
const report = await run(JSON.parse(readFileSync(path, "utf8")));
process.stdout.write(JSON.stringify(report) + "\n");
process.exit(report.ok ? 0 : 1);
