import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are secrets or personal data whatever they hold. */
const SECRET_KEY = /pass(word)?|secret|token|pin$|^pin|code|otp|apikey|api_key|authorization|cookie|phone|recovery|hash|privatekey|jwk/i;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const E164 = /\+[1-9]\d{6,14}/g;
/** Every opaque Portcullis secret carries a `p??_` prefix (`prt_` refresh, `pck_` key, `pci_` invitation, `pmt_`/`pme_` MFA…). */
const PREFIXED_SECRET = /\b(p[a-z]{2}|pk|sk)_[\w-]{16,}/g;

/**
 * Masks what must never reach a log (SPEC §6): values under secret-sounding keys are dropped, and
 * tokens or phone numbers inside free text are masked (phones keep their last 2 digits).
 */
export function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && typeof value !== 'object') return '[REDACTED]';
  if (typeof value === 'string') {
    return value
      .replace(JWT, '[REDACTED_JWT]')
      .replace(PREFIXED_SECRET, '[REDACTED_SECRET]')
      .replace(E164, (phone) => `+${'*'.repeat(phone.length - 3)}${phone.slice(-2)}`);
  }
  return value;
}

/** The one logger; Powertools adds the Lambda context and our per-request keys to every line. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'portcullis', jsonReplacerFn: redact });
