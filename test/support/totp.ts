/**
 * TOTP test helpers, checked against implementations independent of ours: codes from `otpauth` (an
 * RFC 6238 implementation from npm, not the otplib the product lists nor our own HOTP code; pinned to
 * the RFC's test vectors in test/unit/test-support.test.ts), and QR codes read by `jsqr`, a pure-JS
 * decoder, from the PNG that headless Chromium renders of the SVG we serve. Nothing outside npm and
 * Node is needed; a failure fails the test, it never skips it.
 */
import jsQR from 'jsqr';
import { Secret, TOTP } from 'otpauth';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import type { SuccessBody } from '#client/index.ts';
import type { useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;

/** The RFC 6238 (SHA-1, 30 s) code of a base32 secret at an instant, computed by otpauth. */
export function referenceCode(secret: string, at: Date = new Date(), digits = 6): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits, period: 30, timestamp: at.getTime() });
}

/** A code for the next time step (never the one just used), waiting for it when needed. */
export async function freshCode(secret: string, notEqual: string[] = []): Promise<string> {
  for (;;) {
    const code = referenceCode(secret);
    if (!notEqual.includes(code)) return code;
    await new Promise((done) => setTimeout(done, 1000));
  }
}

/** The text of the one QR code in a PNG image; throws when there is none. */
export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
  if (code === null) throw new Error(`no QR code found in the ${image.width}x${image.height} image`);
  return code.data;
}

/** Rasterises an SVG in Chromium and reads the QR code in it: only the SVG's own pixels, quiet zone included. */
export async function decodeQrSvg(browser: Browser, svg: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    return decodeQrPng(await page.locator('svg').screenshot());
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

/** Turns TOTP on for the signed-in operator through the API, with reference codes. */
export async function enrolOperator(api: Api, accessToken: string, password: string): Promise<Enrolled> {
  const started = await api.request<SuccessBody<'/v2/me/mfa/totp', 'post'>>('POST', '/v2/me/mfa/totp', {
    token: accessToken,
    body: { password },
  });
  if (started.status !== 200) throw new Error(`enrolment failed: ${started.status} ${JSON.stringify(started.body)}`);
  const usedCode = referenceCode(started.body.secret);
  const confirmed = await api.request<SuccessBody<'/v2/me/mfa/totp/confirm', 'post'>>('POST', '/v2/me/mfa/totp/confirm', { token: accessToken, body: { code: usedCode } });
  if (confirmed.status !== 200) throw new Error(`confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { ...started.body, recoveryCodes: confirmed.body.recoveryCodes, usedCode };
}

/** The code `steps` time steps from now (±1 is accepted), for a second use without waiting 30 s. */
export function codeInSteps(secret: string, steps: number): string {
  return referenceCode(secret, new Date(Date.now() + steps * 30_000));
}
