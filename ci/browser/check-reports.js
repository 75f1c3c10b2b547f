// Opens scimulate's HTML reports in headless Chromium (Debian's
// /usr/bin/chromium, driven through playwright-core; no browser is
// downloaded) and checks each the way a person would meet it:
//   - it opens from file:// and requests nothing else (no CDN, no font,
//     no image), with no console error and no dialog;
//   - the parts the case names are in the DOM: the timeline, a failed
//     check, the certify levels;
//   - hostile text (a person's name carrying markup) shows as text: no
//     img element with src x, no script element, the text literally there;
//   - the file stays under its size limit.
// A screenshot of each page (and of its first failed check) goes to the
// output folder. Usage: node check-reports.js MANIFEST.json OUTDIR
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 60_000;

async function check(browser, c, outDir) {
  const problems = [];
  const file = path.resolve(c.file);
  const size = fs.statSync(file).size;
  if (c.maxBytes && size >= c.maxBytes) {
    problems.push(`${size} bytes, limit ${c.maxBytes}`);
  }
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const consoleErrors = [];
  const requests = [];
  const dialogs = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(`${r.method()} ${r.url()}`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });

  const started = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const loadMs = Date.now() - started;

  const count = (selector) => page.locator(selector).count();
  for (const [selector, what] of c.expect || []) {
    const n = await count(selector);
    if (n === 0) problems.push(`no ${what} (${selector}) in the page`);
  }
  if (c.expectText) {
    const text = await page.evaluate(() => document.body.textContent);
    for (const t of c.expectText) {
      if (!text.includes(t)) problems.push(`the text ${JSON.stringify(t)} is not shown literally`);
    }
  }
  const imgX = await page.evaluate(
    () => Array.from(document.images).filter((i) => i.getAttribute('src') === 'x').length,
  );
  if (imgX > 0) problems.push(`${imgX} img element(s) with src x: markup got through`);
  const scripts = await page.evaluate(() => document.scripts.length);
  if (scripts > 0) problems.push(`${scripts} script element(s) in the page`);

  const shot = path.join(outDir, `${c.name}.png`);
  await page.screenshot({ path: shot, fullPage: c.fullPage !== false });
  const failed = page.locator('[data-testid="check"][data-outcome="failed"]').first();
  if ((await failed.count()) > 0) {
    await failed.scrollIntoViewIfNeeded();
    await failed.screenshot({ path: path.join(outDir, `${c.name}-failed-check.png`) });
  }
  // Give anything late (a lazy image, a font) the chance to be asked for.
  await page.waitForTimeout(200);

  if (consoleErrors.length) problems.push(`console errors: ${consoleErrors.join(' | ')}`);
  if (requests.length) problems.push(`requests besides the file: ${requests.join(', ')}`);
  if (dialogs.length) problems.push(`dialogs: ${dialogs.join(' | ')}`);
  await context.close();
  console.log(
    `${problems.length ? 'FAIL' : 'ok  '} ${c.name}: ${(size / 1e6).toFixed(2)} MB, loaded in ${loadMs} ms, screenshot ${shot}`,
  );
  for (const p of problems) console.log(`       ${p}`);
  return problems.length === 0;
}

async function main() {
  const [manifestPath, outDir] = process.argv.slice(2);
  if (!manifestPath || !outDir) {
    console.error('usage: node check-reports.js MANIFEST.json OUTDIR');
    process.exit(2);
  }
  const cases = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: TIMEOUT_MS,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let passed = 0;
  try {
    for (const c of cases) {
      if (await check(browser, c, outDir)) passed += 1;
    }
  } finally {
    await browser.close();
  }
  const failed = cases.length - passed;
  console.log(`browser reports: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
