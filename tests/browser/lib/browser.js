'use strict';
// Headless Debian chromium driven by playwright-core (which never downloads
// a browser of its own), and what the tests do with it: log in as a demo
// account (through the forced password change and TOTP enrolment when the
// server asks for them), take screenshots at desktop and phone width, and
// collect the page errors and CSP violations that must not happen.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { chromium } = require('playwright-core');
const { totpAt, step } = require('./totp');
const { ROOT } = require('./server');

const CHROMIUM = process.env.YW_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
const SHOTS = path.join(ROOT, 'build', 'screenshots');

/**
 * Launches chromium. playwright-core gives every launch a new empty profile
 * (a temporary user data dir, removed at close); each account then gets its
 * own isolated context (cookies, storage) from newContext().
 */
async function launch() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    async newContext() {
      const c = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      // Everything here answers from loopback within a second or two; a
      // wait longer than this is a failure, and the suite must stay short.
      c.setDefaultTimeout(Number(process.env.YW_BROWSER_TIMEOUT_MS || 10000));
      return c;
    },
    close: () => browser.close().catch(() => {}),
  };
}

/** Collects page errors and CSP violations of page; check() throws if any. */
function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to (apply|load|execute|connect)/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return {
    problems,
    check() {
      if (problems.length) throw new Error(`the page reported:\n${problems.join('\n')}`);
    },
  };
}

const shots = [];

/** Removes the failure screenshots of an earlier run (the others are overwritten). */
function cleanShots() {
  if (!fs.existsSync(SHOTS)) return;
  for (const f of fs.readdirSync(SHOTS)) if (f.startsWith('FAILED-')) fs.rmSync(path.join(SHOTS, f), { force: true });
}

/** Screenshots of the whole page at desktop and phone width: build/screenshots/NAME-{desktop,phone}.png. */
async function screenshot(page, name) {
  const t0 = Date.now();
  fs.mkdirSync(SHOTS, { recursive: true });
  const prev = page.viewportSize() || DESKTOP;
  for (const [kind, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    // From the top: a sticky header would otherwise sit where the page was scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    const file = path.join(SHOTS, `${name}-${kind}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    shots.push(file);
  }
  await page.setViewportSize(prev);
  if (process.env.YW_BROWSER_TRACE) console.error(`# screenshot ${name}: ${Date.now() - t0} ms`);
}

/**
 * Waits until the page has drawn: fonts in, images loaded, no loading line
 * left. (Not "network idle": the console keeps an event stream open.)
 */
async function settle(page) {
  await page.waitForFunction(() => document.fonts.status === 'loaded'
    && [...document.images].every((i) => i.complete)
    && !document.querySelector('.loading, .adm-loading, [aria-busy="true"]'), null, { timeout: 5000 }).catch(() => {});
}

function newPassword() {
  // Meets any policy the demo could have: long, all four classes.
  return `Yw-${crypto.randomBytes(9).toString('base64url')}a9Z!`;
}

/**
 * Per-account state the tests keep: the password in force, the TOTP secret
 * once enrolled, the last TOTP step used (the server refuses a step twice).
 */
class Account {
  constructor({ role, user, password, title }) {
    Object.assign(this, { role, user, password, title, secret: null, lastStep: 0 });
  }

  /** A code the server accepts now: this step, or the next when this one was used. */
  async code() {
    let s = step();
    if (s <= this.lastStep) s = this.lastStep + 1;
    // The server accepts one step either side of its clock; wait otherwise.
    while (s > step() + 1) await new Promise((r) => setTimeout(r, 500));
    this.lastStep = s;
    return totpAt(this.secret, s);
  }
}

const SETTLED = '[data-testid=password-page], [data-testid=enrol-secret], [data-testid=login-totp], #nav:not([hidden]), [data-testid=login-form] [data-form-error]:not([hidden])';

/**
 * Logs acct in on page (at base): password, then whatever the server asks
 * for (second factor, password change, TOTP enrolment) until the console
 * shows its navigation. onStep(name) is called on each intermediate page,
 * for screenshots.
 */
async function login(page, base, acct, { onStep } = {}) {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-user').fill(acct.user);
  await page.getByTestId('login-password').fill(acct.password);
  await page.getByTestId('login-submit').click();
  for (let i = 0; i < 6; i++) {
    const el = await page.waitForSelector(SETTLED, { state: 'attached', timeout: 15000 });
    const tid = (await el.getAttribute('id')) === 'nav' ? 'nav' : await el.getAttribute('data-testid');
    if (tid === 'nav') {
      return;
    } else if (tid === 'login-totp') {
      if (!acct.secret) throw new Error(`${acct.user}: the server asks for a second factor the test does not know`);
      if (onStep) await onStep('login-totp');
      await page.getByTestId('login-totp').fill(await acct.code());
      await page.getByTestId('login-totp-submit').click();
      await page.waitForSelector('[data-testid=login-totp]', { state: 'detached', timeout: 15000 });
    } else if (tid === 'password-page') {
      if (onStep) await onStep('password');
      const pw = newPassword();
      await page.getByTestId('password-old').fill(acct.password);
      await page.getByTestId('password-new').fill(pw);
      await page.getByTestId('password-again').fill(pw);
      await page.getByTestId('password-submit').click();
      await page.waitForSelector('[data-testid=password-page]', { state: 'detached', timeout: 15000 });
      acct.password = pw;
    } else if (tid === 'enrol-secret') {
      if (onStep) await onStep('enrol');
      acct.secret = (await el.textContent()).replace(/\s+/g, '');
      acct.lastStep = 0;
      await page.getByTestId('enrol-code').fill(await acct.code());
      await page.getByTestId('enrol-submit').click();
      await page.getByTestId('recovery-codes').waitFor();
      if (onStep) await onStep('enrol-recovery');
      await page.getByTestId('enrol-ack').check();
      await page.getByTestId('enrol-done').click();
      await page.waitForSelector('[data-testid=enrol-page]', { state: 'detached', timeout: 15000 });
    } else {
      throw new Error(`${acct.user}: login refused: ${(await el.textContent()).trim()}`);
    }
  }
  throw new Error(`${acct.user}: login did not reach the console`);
}

/** The data-testid of every link in the navigation. */
async function navIds(page) {
  await page.waitForSelector('#nav:not([hidden])');
  return page.$$eval('#nav a[data-testid]', (as) => as.map((a) => a.dataset.testid));
}

/**
 * Navigates inside the console without reloading it: a click on the
 * navigation link when there is one, else a history step the router follows
 * (popstate), as the back button would. A page not yet showing the console
 * is loaded.
 */
async function open(page, base, pathname) {
  const link = page.locator(`#nav a[href="${pathname}"]`);
  if (await link.count()) {
    await link.first().click();
  } else if (page.url().startsWith(base) && await page.locator('#main').count()) {
    await page.evaluate((p) => {
      history.pushState(null, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, pathname);
  } else {
    await page.goto(`${base}${pathname}`);
  }
  await page.waitForFunction((p) => location.pathname === p, pathname);
}

module.exports = { cleanShots, launch, watch, screenshot, settle, login, navIds, open, Account, shots, DESKTOP, PHONE, SHOTS, CHROMIUM };
