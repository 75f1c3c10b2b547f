// A game day's board (docs/gamedays.md, "The board") in headless Chromium
// against a running `scimulate gameday`:
//   - it loads with the token in the URL fragment, with no console error,
//     no dialog and no request to another origin;
//   - the game-day panel names the game day and shows every hypothesis and
//     safeguard with its state now and its state over time;
//   - app-a's error-rate hypothesis turns `violated` under the 429 storm,
//     with a red block in its strip, while app-b's holds and the safeguard
//     stays armed;
//   - the rate_limit alert the connector sends shows in the alerts panel.
// Usage: node check-gameday.js ENDPOINTS.json OUTDIR
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 45_000;

async function main() {
  const [endpointsPath, outDir] = process.argv.slice(2);
  if (!endpointsPath || !outDir) {
    console.error('usage: node check-gameday.js ENDPOINTS.json OUTDIR');
    process.exit(2);
  }
  const endpoints = JSON.parse(fs.readFileSync(endpointsPath, 'utf8'));
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const consoleErrors = [];
    const foreign = [];
    const dialogs = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (new URL(r.url()).origin !== admin.origin) foreign.push(r.url()); });
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });

    await page.goto(`${admin.origin}/#token=${encodeURIComponent(endpoints.admin.token)}`);
    await page.locator('[data-testid=state]', { hasText: 'live' }).waitFor();
    await page.locator('[data-testid=gameday]', { hasText: 'board-check' }).waitFor();
    const probe = (text) => page.locator('[data-testid=probe]', { hasText: text });
    await probe('error_rate of app-a below 5% over 10s').and(page.locator('[data-state=violated]')).waitFor();
    const redBlocks = await probe('error_rate of app-a').locator('.strip .bad').count();
    if (redBlocks < 1) problems.push('app-a\'s strip has no red block');
    const b = await probe('error_rate of app-b below 5%').getAttribute('data-state');
    if (b !== 'holds') problems.push(`app-b's hypothesis is ${b}, not holds`);
    const guard = await probe('error_rate of app-b above 90%').getAttribute('data-state');
    if (guard !== 'armed') problems.push(`the safeguard is ${guard}, not armed`);
    const rows = await page.locator('[data-testid=probe]').count();
    if (rows !== 4) problems.push(`${rows} probe rows, expected 4`);
    await page.locator('[data-testid=alert]', { hasText: 'rate_limit' }).first().waitFor();

    await page.screenshot({ path: path.join(outDir, 'board-gameday.png'), fullPage: true });
    await page.waitForTimeout(200);
    if (consoleErrors.length) problems.push(`console errors: ${consoleErrors.join(' | ')}`);
    if (foreign.length) problems.push(`requests to other origins: ${foreign.join(', ')}`);
    if (dialogs.length) problems.push(`dialogs: ${dialogs.join(' | ')}`);
    console.log(`${problems.length ? 'FAIL' : 'ok  '} gameday board: hypotheses, safeguard and alert shown, screenshot ${path.join(outDir, 'board-gameday.png')}`);
  } catch (e) {
    problems.push(`${e.message}`);
  } finally {
    await browser.close();
  }
  for (const p of problems) console.log(`       ${p}`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
