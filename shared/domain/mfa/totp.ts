/**
 * TOTP (RFC 6238) on otplib: SHA-1, 6 digits, 30 s steps, ±1 step of clock drift — what Google
 * Authenticator, Authy, Microsoft Authenticator and FreeOTP all understand. Pure functions plus the
 * envelope cipher that keeps secrets encrypted at rest.
 */
import { randomBytes } from 'node:crypto';
// otplib and qrcode load on first use (dynamic imports): functions that never touch TOTP (most of
// them share this module through the composition root) neither parse nor evaluate them at cold start.
const otp = () => import('otplib');
import { DataKey, seal, TOTP_SECRETS_PURPOSE, unseal } from '../platform/keyring.ts';
import type { KeyringStore, MasterKey } from '../platform/keyring-store.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: one step covers a phone clock 30 s off and a slow typist. */
export const TOTP_WINDOW_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block the RFC recommends (RFC 4226 §4 asks for at least 128). */
export const TOTP_SECRET_BYTES = 20;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps expect it. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) output += BASE32_ALPHABET.charAt((value << (5 - bits)) & 31);
  return output;
}

/** A new TOTP secret from the CSPRNG, base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(TOTP_SECRET_BYTES));
}

/** The secret in groups of four (`ABCD EFGH …`) for typing it into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/** The RFC 6238 time step of an instant (epoch seconds). */
export const timeStepOf = (epochSeconds: number): number => Math.floor(epochSeconds / TOTP_PERIOD_SECONDS);

/**
 * The Key Uri Format every authenticator app reads:
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUri(input: { issuer: string; accountName: string; secret: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  const query = `secret=${input.secret}&issuer=${encodeURIComponent(input.issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
  return `otpauth://totp/${label}?${query}`;
}

/** The otpauth URI as an SVG QR code (self-contained markup, no scripts or external references). */
export async function qrCodeSvg(uri: string): Promise<string> {
  // What `QRCode.toString(uri, { type: 'svg', … })` runs, without the entry point's other renderers.
  const [{ create }, { render }] = await Promise.all([import('qrcode/lib/core/qrcode.js'), import('qrcode/lib/renderer/svg-tag.js')]);
  const options = { errorCorrectionLevel: 'M', margin: 4, width: 240 } as const;
  return render(create(uri, options), options);
}

/** An enrolment with the QR code of its URI, for the routes that show one. */
export async function withQrCode<E extends { otpauthUri: string }>(enrollment: E): Promise<E & { qrCodeSvg: string }> {
  return { ...enrollment, qrCodeSvg: await qrCodeSvg(enrollment.otpauthUri) };
}

/** The TOTP code of a secret at an instant (epoch seconds); `digits` is 6 except for RFC vectors. */
export async function totpCode(secret: string | Uint8Array, epochSeconds: number, digits: 6 | 8 = TOTP_DIGITS): Promise<string> {
  const { generate } = await otp();
  return generate({ secret, epoch: epochSeconds, digits, period: TOTP_PERIOD_SECONDS, algorithm: 'sha1' });
}

/** The HOTP code (RFC 4226) of a secret for a counter. */
export async function hotpCode(secret: string | Uint8Array, counter: number): Promise<string> {
  const { generate } = await otp();
  return generate({ secret, strategy: 'hotp', counter, digits: TOTP_DIGITS, algorithm: 'sha1' });
}

/**
 * The time step a code matches within ±1 step of now, or undefined. Whether that step was already
 * used is the caller's check (it needs the stored last step and a conditional write).
 */
export async function matchTotp(secret: string, code: string, epochSeconds: number): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const { verify } = await otp();
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    algorithm: 'sha1',
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
  });
  // `delta` is the matched step relative to now's (-1, 0 or +1).
  return result.valid ? timeStepOf(epochSeconds) + result.delta : undefined;
}

export { TOTP_SECRETS_PURPOSE };

/**
 * Encrypts TOTP secrets with AES-256-GCM under one data key. The data key is stored wrapped by the
 * master key (KMS in the cloud, the key file locally) and unwrapped once per cold start, so a warm
 * request never calls KMS. The AAD binds each ciphertext to its owner, so a ciphertext copied onto
 * another user's item does not decrypt. The cipher never creates the data key: the key function does
 * (at deployment; locally the server and the test setup at start), and until then sealing or opening
 * is a `KeyringMissingError` (503), not a write this function's role may not make.
 */
export class TotpSecretCipher {
  private readonly dataKey: DataKey;

  constructor(store: KeyringStore, masterKey: () => MasterKey) {
    this.dataKey = new DataKey(store, masterKey, TOTP_SECRETS_PURPOSE);
  }

  async seal(secret: string, owner: string): Promise<string> {
    return seal(await this.dataKey.get(), Buffer.from(secret, 'utf8'), `${TOTP_SECRETS_PURPOSE}:${owner}`);
  }

  async open(sealed: string, owner: string): Promise<string> {
    return unseal(await this.dataKey.get(), sealed, `${TOTP_SECRETS_PURPOSE}:${owner}`).toString('utf8');
  }
}
