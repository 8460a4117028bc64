import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBrowser, fromEnvironment, fromNpmPackage, fromSystem, LAUNCH_ARGS, launchFound } from '#test/support/browser.ts';
import { decodeQrSvg } from '#test/support/totp.ts';
import QRCode from 'qrcode';

/** The command lines and environments of this process's children, from /proc (Linux, where the npm browser runs). */
function children(): { argv: string[]; environment: string[] }[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const parent = /^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
        if (parent !== String(process.pid)) return [];
        return [{ argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'), environment: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0') }];
      } catch {
        return [];
      }
    });
}

describe('the npm-shipped browser (a machine with only Node and Java)', () => {
  it('is found when neither CHROMIUM nor a system browser is there, launches headless with the flags and a fresh profile, and renders a QR code', async () => {
    const found = await findBrowser([fromEnvironment({}), fromSystem('', [], []), fromNpmPackage()]);
    expect(found.source).toBe('npm');
    expect(found.executablePath).toMatch(/node_modules\/\.cache\/portcullis-chromium\/[\d.]+\/chromium$/);

    const [first, second] = [await launchFound(found), await launchFound(found)];
    try {
      expect(first.version()).toMatch(/^\d+\./);
      const browsers = children().filter(({ argv }) => argv[0] === found.executablePath && argv.includes('--remote-debugging-pipe'));
      expect(browsers).toHaveLength(2);
      const profiles = browsers.map(({ argv }) => argv.find((arg) => arg.startsWith('--user-data-dir='))).filter((dir) => dir !== undefined);
      expect(new Set(profiles).size).toBe(2);
      for (const { argv, environment } of browsers) {
        expect(argv).toEqual(expect.arrayContaining(LAUNCH_ARGS));
        // NSS and expat come from the package, not from the OS.
        expect(environment).toContain(`LD_LIBRARY_PATH=${found.env?.LD_LIBRARY_PATH ?? 'unset'}`);
      }

      const uri = 'otpauth://totp/Portcullis:ann%40example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Portcullis';
      expect(await decodeQrSvg(first, await QRCode.toString(uri, { type: 'svg' }))).toBe(uri);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
