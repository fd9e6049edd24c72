// Drives the staff console in headless Chromium (playwright-core from web/node_modules)
// for test_console_browser.py: signs in with the form, opens a WeChat conversation,
// ticks a group of unanswered messages, downloads the export, loads the charts.
// Prints one JSON report on stdout (the Python test judges it); exits 1 on a failed step.
//
//   node tests/browser/drive_console.mjs '{"base": ..., "token": ..., "chromium": ..., "timeoutMs": ...}'

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "web", "package.json"));
const { chromium } = require("playwright-core");

const args = JSON.parse(process.argv[2]);
const report = { problems: [] };
const browser = await chromium.launch({ executablePath: args.chromium, args: ["--no-sandbox"] });
let step = "start";
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(args.timeoutMs);
  page.on("console", (m) => { if (m.type() === "error") report.problems.push(m.text()); });
  page.on("pageerror", (e) => report.problems.push(String(e)));
  page.on("response", (r) => { if (r.status() >= 400) report.problems.push(`${r.status()} ${r.url()}`); });

  step = "sign in";
  const first = await page.goto(args.base + "/staff/");
  report.firstStatus = first.status();
  report.problems.length = 0; // the 401 of the sign-in page itself
  await page.fill("input[name=token]", args.token);
  await Promise.all([page.waitForURL(args.base + "/staff/"), page.click("button[type=submit]")]);
  report.title = await page.textContent("h1");
  report.rows = await page.locator("tbody tr").count();
  report.cookies = (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }));

  step = "open the wechat conversation";
  await Promise.all([page.waitForURL(/\/staff\/conversations\/wx-/), page.click("a:has-text('…')")]);
  report.transcript = await page.textContent("ol.transcript");
  report.conversationHtml = await page.content();

  step = "export";
  await page.goto(args.base + "/staff/unanswered");
  await page.check("input[data-select-group='0']");
  report.groupTicked = await page.$$eval("input[data-group='0']", (els) => els.map((e) => e.checked));
  await page.selectOption("select[name=intent]", "out_of_scope");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(".export button[type=submit]")]);
  report.downloadName = download.suggestedFilename();
  report.download = readFileSync(await download.path(), "utf8");

  step = "metrics";
  await page.goto(args.base + "/staff/metrics");
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  report.charts = await page.$$eval("img", (imgs) => imgs.map((img) => img.naturalWidth));
  report.ok = true;
} catch (error) {
  report.ok = false;
  report.failedStep = step;
  report.error = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);
