/**
 * TOTP test helpers: codes from an independent implementation (`oathtool` from Debian's `oathtool`),
 * QR decoding with `zbarimg` (Debian `zbar-tools`) on the SVG rasterised by headless Chromium. These
 * tools are required: CI installs them (.ci/run); a missing tool fails the test, it never skips it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The TOTP code of a base32 secret at an instant, computed by oathtool. */
export function oathtoolCode(secret: string, at: Date = new Date()): string {
  return execFileSync('oathtool', ['--totp', '-b', `--now=${at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`, secret], { encoding: 'utf8' }).trim();
}

/** A code for the next time step (never the one just used), waiting for it when needed. */
export async function freshCode(secret: string, notEqual: string[] = []): Promise<string> {
  for (;;) {
    const code = oathtoolCode(secret);
    if (!notEqual.includes(code)) return code;
    await new Promise((done) => setTimeout(done, 1000));
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox'] });
}

/** Rasterises an SVG in Chromium and reads the QR code in it with zbarimg. */
export async function decodeQrSvg(browser: Browser, svg: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot();
    const file = join(mkdtempSync(join(tmpdir(), 'qr-')), 'qr.png');
    writeFileSync(file, png);
    return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
  } finally {
    await page.close();
  }
}

export interface Enrolled {
  secret: string;
  otpauthUri: string;
  qrCodeSvg: string;
  recoveryCodes: string[];
  /** The code used to confirm (its step is spent). */
  usedCode: string;
}

/** Turns TOTP on for the signed-in operator through the API, with oathtool codes. */
export async function enrolOperator(api: Api, accessToken: string, password: string): Promise<Enrolled> {
  const started = await api.request<{ secret: string; otpauthUri: string; qrCodeSvg: string }>('POST', '/v2/me/mfa/totp', {
    token: accessToken,
    body: { password },
  });
  if (started.status !== 200) throw new Error(`enrolment failed: ${started.status} ${JSON.stringify(started.body)}`);
  const usedCode = oathtoolCode(started.body.secret);
  const confirmed = await api.request<{ recoveryCodes: string[] }>('POST', '/v2/me/mfa/totp/confirm', { token: accessToken, body: { code: usedCode } });
  if (confirmed.status !== 200) throw new Error(`confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { ...started.body, recoveryCodes: confirmed.body.recoveryCodes, usedCode };
}

/** The code `steps` time steps from now (±1 is accepted), for a second use without waiting 30 s. */
export function codeInSteps(secret: string, steps: number): string {
  return oathtoolCode(secret, new Date(Date.now() + steps * 30_000));
}
