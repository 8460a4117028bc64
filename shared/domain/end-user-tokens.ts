/**
 * End-user tokens: what a system's backend gets when a sign-in completes, verifiable offline with
 * `GET /v2/.well-known/jwks.json` (the same keys as operator tokens; `aud` tells them apart).
 */
import { SignJWT } from 'jose';
import type { SigningKey } from './keyring.ts';
import { newId } from './secrets.ts';
import type { Factor } from './sign-in-model.ts';

/** `typ` of end-user tokens: plain JWT, so an operator verifier (which demands `at+jwt`) never takes one. */
export const END_USER_TOKEN_TYPE = 'JWT';

export interface EndUserTokenInput {
  issuer: string;
  /** The system's name. */
  audience: string;
  /** The end user's id. */
  subject: string;
  organizationId: string;
  amr: string[];
  ttlSeconds: number;
}

export interface SigningKeySource {
  signingKey(): Promise<SigningKey>;
}

/**
 * RFC 8176 method references of a completed chain: `sms` for a PIN or a link sent by SMS, `otp` for
 * TOTP or a recovery code, and `mfa` when at least two different methods were used.
 */
export function amrOf(satisfied: (Factor | 'recoveryCode')[]): string[] {
  const methods = [...new Set(satisfied.map((factor) => (factor === 'pin' || factor === 'passwordless' ? 'sms' : 'otp')))];
  return methods.length >= 2 ? [...methods, 'mfa'] : methods;
}

/** Signs ES256 in-process with the active key (unwrapped once per process: no KMS call per token). */
export class EndUserTokens {
  constructor(
    private readonly keys: SigningKeySource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts loading the signing key (cached by the key source) without waiting; errors surface in `issue`. */
  warmUp(): void {
    this.keys.signingKey().catch(() => undefined);
  }

  async issue(input: EndUserTokenInput): Promise<string> {
    const key = await this.keys.signingKey();
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ org: input.organizationId, amr: input.amr })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: END_USER_TOKEN_TYPE })
      .setIssuer(input.issuer)
      .setAudience(input.audience)
      .setSubject(input.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + input.ttlSeconds)
      .setJti(newId('tok'))
      .sign(key.privateKey);
  }
}
