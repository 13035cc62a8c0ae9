/**
 * A real browser for the portal's tests: Debian's chromium (never one downloaded), driven by
 * puppeteer-core. By default its headless shell (package chromium-headless-shell, built from the same
 * source and version as chromium: the same Blink and V8, without the desktop browser around them), which
 * costs a third less CPU; CAIRN_TEST_CHROMIUM=/usr/bin/chromium runs the same tests in the full browser.
 * Screenshots of every page go to test-artifacts/portal/ for a reviewer to look at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT } from './server';

export const CHROMIUM = process.env.CAIRN_TEST_CHROMIUM ?? '/usr/bin/chromium-headless-shell';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'portal');

export function openBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: CHROMIUM.endsWith('headless-shell') ? 'shell' : true,
    // The portal's certificate is Cairn's self-signed one.
    acceptInsecureCerts: true,
    // As root in a container, chromium's sandbox cannot start. RenderDocument (a new frame host for every
    // navigation, a Chromium internal that pages cannot see) cost a quarter of each navigation's CPU here.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--password-store=basic', '--disable-features=RenderDocument'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // optimizeForSpeed: chromium's faster PNG compression (the files are larger, the pixels the same).
  await page.screenshot({ path: `${join(ARTIFACTS, name)}.png`, fullPage: true, optimizeForSpeed: true });
}

/**
 * Fills a form's fields by id and submits it with its button, waiting for the next page. Each value is
 * entered as one text input into the focused field (as a paste or a password manager does: the page's
 * input events fire); a test of what happens key by key types with page.type, which costs a round trip
 * to the browser for every key.
 */
export async function submitForm(page: Page, fields: Record<string, string>, button = 'button[type=submit]'): Promise<void> {
  for (const [id, value] of Object.entries(fields)) {
    await page.$eval(`#${id}`, (el) => ((el as unknown as { value: string }).value = ''));
    if (value === '') continue;
    await page.focus(`#${id}`);
    await page.keyboard.sendCharacter(value);
  }
  await Promise.all([page.waitForNavigation(), page.click(`main ${button}`)]);
}

export const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as unknown as { innerText: string }).innerText);

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is (its CSP is bypassed for the check only). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: { id: string; impact: string; help: string; nodes: unknown[] }[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help}`);
}
