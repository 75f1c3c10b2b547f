// The live board (docs/mock-target.md, "Live board") in headless Chromium
// against a running `scimulate serve`, the way a game-day operator uses it:
//   - it loads from the admin listener with the token in the URL fragment,
//     with no console error, no dialog and no request to another origin;
//   - a fault added through its form makes the target answer with it
//     (checked with a SCIM request from here, not through the page);
//   - the live feed shows that request within a second;
//   - clearing through the page restores the target;
//   - a request path carrying markup shows in the feed as text.
// Usage: node check-board.js ENDPOINTS.json OUTDIR
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 15_000;
const HOSTILE = '<img src=x onerror=alert(1)>';

async function scim(target, suffix) {
  const r = await fetch(target.base_url + suffix, {
    headers: { Authorization: 'Bearer ' + target.auth.token, Accept: 'application/scim+json' },
  });
  return r.status;
}

async function main() {
  const [endpointsPath, outDir] = process.argv.slice(2);
  if (!endpointsPath || !outDir) {
    console.error('usage: node check-board.js ENDPOINTS.json OUTDIR');
    process.exit(2);
  }
  const endpoints = JSON.parse(fs.readFileSync(endpointsPath, 'utf8'));
  const [name, target] = Object.entries(endpoints.targets)[0];
  const admin = new URL(endpoints.admin.url);
  fs.mkdirSync(outDir, { recursive: true });
  const problems = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const consoleErrors = [];
    const foreign = [];
    const dialogs = [];
    // Chromium logs a 4xx answer to fetch as a console error: the one the
    // test provokes (a refused fault) is expected, any other is not.
    let refusalsExpected = 0;
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (refusalsExpected > 0 && m.text().includes('status of 400')) { refusalsExpected -= 1; return; }
      consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (new URL(r.url()).origin !== admin.origin) foreign.push(r.url()); });
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });

    await page.goto(`${admin.origin}/#token=${encodeURIComponent(endpoints.admin.token)}`);
    await page.locator('[data-testid=state]', { hasText: 'live' }).waitFor();
    if (page.url().includes('token=')) problems.push('the token stayed in the address bar');
    await page.locator('[data-testid=targets] td', { hasText: name }).first().waitFor();
    // The proxy in front of the target, then a toxic added through the
    // Toxiproxy API shows on the board.
    await page.locator('[data-testid=network] td', { hasText: 'enabled' }).first().waitFor();
    const toxic = await fetch(`${endpoints.toxiproxy.url}/proxies/${encodeURIComponent(name)}/toxics`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 250, jitter: 0 } }),
    });
    if (toxic.status !== 200) problems.push(`adding a toxic answered ${toxic.status}`);
    await page.locator('[data-testid=network] .mono', { hasText: 'latency' }).first().waitFor({ timeout: 5000 });
    await fetch(`${endpoints.toxiproxy.url}/proxies/${encodeURIComponent(name)}/toxics/slow`, { method: 'DELETE' });

    // A fault through the form.
    await page.selectOption('#fault-target', name);
    await page.selectOption('#fault-kind', 'rate_limit');
    await page.fill('#fault-params', '{"retry_after": "3s"}');
    await page.click('[data-testid=add-fault] button[type=submit]');
    await page.locator('[data-testid=fault-message].ok').waitFor();
    await page.locator('[data-testid=faults] td', { hasText: 'rate_limit' }).waitFor();
    const during = await scim(target, '/Users?count=1');
    if (during !== 429) problems.push(`with rate_limit on from the form the target answered ${during}, not 429`);
    const asked = Date.now();
    await page.locator('[data-testid=feed-entry]', { hasText: '429' }).first().waitFor({ timeout: 5000 });
    const feedMs = Date.now() - asked;
    if (feedMs > 1000) problems.push(`the feed showed the 429 after ${feedMs} ms (more than 1 s)`);

    // Markup the admin API echoes back (a refused fault's message) and a
    // request path stays text.
    await page.fill('#fault-params', JSON.stringify({ methods: [HOSTILE] }));
    refusalsExpected = 1;
    await page.click('[data-testid=add-fault] button[type=submit]');
    await page.locator('[data-testid=fault-message].bad').waitFor();
    const refused = await page.locator('[data-testid=fault-message]').textContent();
    if (!refused.includes(HOSTILE)) problems.push(`the refusal does not show the value as text: ${refused}`);
    await scim(target, '/Users/' + encodeURIComponent(HOSTILE));
    await page.locator('[data-testid=feed-entry]', { hasText: 'onerror' }).first().waitFor({ timeout: 5000 });
    const imgX = await page.evaluate(() => Array.from(document.images).filter((i) => i.getAttribute('src') === 'x').length);
    if (imgX > 0) problems.push(`${imgX} img element(s) with src x: markup got through`);
    await page.locator('[data-testid=targets] .pill.c4xx').first().waitFor({ timeout: 3000 });

    await page.screenshot({ path: path.join(outDir, 'board.png'), fullPage: true });

    // Clearing through the page restores the target.
    await page.click('[data-testid=clear-all]');
    await page.locator('[data-testid=faults] td', { hasText: 'rate_limit' }).waitFor({ state: 'detached' });
    const after = await scim(target, '/Users?count=1');
    if (after !== 200) problems.push(`after clearing from the page the target answered ${after}, not 200`);
    await page.locator('[data-testid=feed-entry]', { hasText: '200' }).first().waitFor({ timeout: 5000 });

    await page.waitForTimeout(200);
    if (consoleErrors.length) problems.push(`console errors: ${consoleErrors.join(' | ')}`);
    if (foreign.length) problems.push(`requests to other origins: ${foreign.join(', ')}`);
    if (dialogs.length) problems.push(`dialogs: ${dialogs.join(' | ')}`);
    console.log(`${problems.length ? 'FAIL' : 'ok  '} board: fault on from the form -> 429, feed in ${feedMs} ms, cleared -> 200, screenshot ${path.join(outDir, 'board.png')}`);
  } catch (e) {
    problems.push(`${e.message}`);
  } finally {
    await browser.close();
  }
  for (const p of problems) console.log(`       ${p}`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
