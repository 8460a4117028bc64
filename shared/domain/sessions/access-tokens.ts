import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWK } from 'jose';
import { newId } from '../kernel/secrets.ts';
import type { SigningKey } from '../platform/keyring.ts';

/** `aud` of operator access tokens; end-user tokens carry their system's name instead. */
export const OPERATOR_AUDIENCE = 'portcullis:management';

export interface AccessTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  amr: string[];
  ttlSeconds: number;
  claims?: Record<string, unknown>;
}

/** Signs an ES256 JWT (`typ: at+jwt`, RFC 9068) in-process with the unwrapped key. */
export async function signAccessToken(key: SigningKey, input: AccessTokenInput): Promise<string> {
  return new SignJWT({ ...input.claims, amr: input.amr })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setSubject(input.subject)
    .setIssuedAt()
    .setExpirationTime(`${input.ttlSeconds}s`)
    .setJti(newId('at'))
    .sign(key.privateKey);
}

export type VerifiedAccessToken =
  | { valid: true; subject: string; expiresAt: number; amr: string[]; sessionId: string | undefined }
  | { valid: false; reason: 'expired' | 'invalid' };

/** Verifies signature, issuer, audience, type and expiry; says why a token is refused, never throws. */
export async function verifyAccessToken(
  token: string,
  keys: JWK[],
  expected: { issuer: string; audience: string },
): Promise<VerifiedAccessToken> {
  if (keys.length === 0) return { valid: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp'],
    });
    const amr = Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [];
    const sessionId = typeof payload.sid === 'string' ? payload.sid : undefined;
    return { valid: true, subject: payload.sub ?? '', expiresAt: payload.exp ?? 0, amr, sessionId };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { valid: false, reason: 'expired' };
    return { valid: false, reason: 'invalid' };
  }
}
