import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import { describe, expect, it, vi } from 'vitest';
import { findBrowser, fromEnvironment, fromNpmPackage, fromSystem, type BrowserCandidate, type FoundBrowser } from '#test/support/browser.ts';
import { decodeQrPng, referenceCode } from '#test/support/totp.ts';

/** RFC 6238's SHA-1 seed, ASCII "12345678901234567890", in base32 as authenticator apps read it. */
const RFC_6238_SHA1_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('referenceCode: the independent TOTP the e2e tests check ours against', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('passes RFC 6238 Appendix B (SHA-1) at T=%i, and its 6-digit code is the last six digits', (seconds, expected) => {
    const at = new Date(seconds * 1000);
    expect(referenceCode(RFC_6238_SHA1_SECRET, at, 8)).toBe(expected);
    expect(referenceCode(RFC_6238_SHA1_SECRET, at)).toBe(expected.slice(2));
  });

  it('keeps one code for the whole 30-second step and changes at its boundary', () => {
    const stepStart = new Date(1_800_000_000_000 - (1_800_000_000_000 % 30_000));
    const code = referenceCode(RFC_6238_SHA1_SECRET, stepStart);
    expect(referenceCode(RFC_6238_SHA1_SECRET, new Date(stepStart.getTime() + 29_999))).toBe(code);
    expect(referenceCode(RFC_6238_SHA1_SECRET, new Date(stepStart.getTime() + 30_000))).not.toBe(code);
  });
});

describe('decodeQrPng: the pure-JS QR reader', () => {
  it('reads back the text of a QR code PNG', async () => {
    const uri = 'otpauth://totp/Portcullis:ann%40example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Portcullis';
    expect(decodeQrPng(await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M' }))).toBe(uri);
  });

  it('throws on an image with no QR code instead of answering an empty string', () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(() => decodeQrPng(PNG.sync.write(blank))).toThrow(/no QR code/);
  });
});

describe('findBrowser: CHROMIUM, then the system browser, then the npm one', () => {
  const executables = (...paths: string[]) => (path: string) => paths.includes(path);
  const npm: FoundBrowser = { source: 'npm', executablePath: '/project/node_modules/.cache/chromium' };

  it('takes CHROMIUM first and asks no later candidate', async () => {
    const system = vi.fn<BrowserCandidate>(() => ({ source: 'system', executablePath: '/usr/bin/chromium' }));
    const fromNpm = vi.fn<BrowserCandidate>(() => npm);
    const found = await findBrowser([fromEnvironment({ CHROMIUM: '/opt/my/chrome' }, executables('/opt/my/chrome')), system, fromNpm]);
    expect(found).toEqual({ source: 'CHROMIUM', executablePath: '/opt/my/chrome' });
    expect(system).not.toHaveBeenCalled();
    expect(fromNpm).not.toHaveBeenCalled();
  });

  it('fails on a CHROMIUM that is not an executable instead of quietly using another browser', async () => {
    const fromNpm = vi.fn<BrowserCandidate>(() => npm);
    await expect(findBrowser([fromEnvironment({ CHROMIUM: '/nowhere/chrome' }, executables()), fromNpm])).rejects.toThrow('CHROMIUM=/nowhere/chrome is not an executable file');
    expect(fromNpm).not.toHaveBeenCalled();
  });

  it('without CHROMIUM (unset or empty) takes the system browser: PATH in order, then the usual paths', async () => {
    for (const env of [{}, { CHROMIUM: '' }]) {
      const isExecutable = executables('/usr/local/bin/google-chrome', '/usr/bin/chromium', '/opt/google/chrome/chrome');
      const found = await findBrowser([
        fromEnvironment(env, isExecutable),
        fromSystem('/home/ann/bin:/usr/local/bin:/usr/bin', ['chromium', 'google-chrome'], ['/opt/google/chrome/chrome'], isExecutable),
        () => npm,
      ]);
      // /usr/local/bin comes before /usr/bin on this PATH, so its google-chrome wins over /usr/bin/chromium.
      expect(found).toEqual({ source: 'system', executablePath: '/usr/local/bin/google-chrome' });
    }
    const offPath = fromSystem('/home/ann/bin', ['chromium'], ['/opt/google/chrome/chrome'], executables('/opt/google/chrome/chrome'));
    expect(await offPath()).toEqual({ source: 'system', executablePath: '/opt/google/chrome/chrome' });
  });

  it('falls back to the npm-shipped browser when the system has none', async () => {
    const found = await findBrowser([fromEnvironment({}, executables()), fromSystem('/usr/bin', ['chromium'], ['/usr/bin/chromium'], executables()), () => npm]);
    expect(found).toBe(npm);
  });

  it('has no npm browser off Linux x64 (the package ships one build), and says what to do when nothing is found', async () => {
    expect(await fromNpmPackage('darwin', 'arm64')()).toBeUndefined();
    expect(await fromNpmPackage('linux', 'arm64')()).toBeUndefined();
    await expect(findBrowser([fromEnvironment({}), fromSystem('', [], [], executables()), fromNpmPackage('win32', 'x64')])).rejects.toThrow(/set CHROMIUM/);
  });
});
