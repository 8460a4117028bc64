/**
 * Port: sends one e-mail (SES v2 in the cloud, the outbox locally), and the one way a message is
 * made: a catalogue entry (shared/domain/platform/messages/<language>.ts) turned into a plain-text
 * part and a simple HTML part by `renderEmail`. Callers never write HTML or English themselves.
 */

export interface EmailMessage {
  /** One address, already validated. */
  to: string;
  subject: string;
  /** The plain-text part: every message has one (SPEC §8). */
  text: string;
  /** A simple HTML part with the same content. */
  html: string;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/** Why an address no longer receives mail: what SES reported (SPEC §8). */
export type UndeliverableReason = 'bounce' | 'complaint';

/**
 * Port: addresses SES reported undeliverable (`emailSuppressionKey`). The feedback function marks
 * them; whatever sends checks first. Addresses are compared lower-cased.
 */
export interface EmailSuppressions {
  isUndeliverable(email: string): Promise<boolean>;
  /** Idempotent: a second report for the same address keeps the first `since`. */
  markUndeliverable(email: string, reason: UndeliverableReason, at: string): Promise<void>;
}

/**
 * What a catalogue entry gives: a subject, paragraphs, at most one call to action (a link the
 * reader follows) and closing paragraphs. Plain strings: `renderEmail` escapes them for HTML.
 */
export interface EmailContent {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** After the action (how long the link lasts, "if this was not you…"). */
  footer?: string[];
}

/** The messages Portcullis sends, by kind, with the values each needs. One language = one object of this type. */
export interface EmailCatalogue {
  /** Signup with `verify-email`: the link that completes it. */
  signupVerification(values: { accountName: string; url: string; hours: number }): EmailContent;
  /** Signup with `verify-email` for an address that already has an operator: no second account, a hint instead. */
  signupExistingOperator(values: { loginUrl: string; resetUrl: string }): EmailContent;
  /** An invitation to join an account. */
  invitation(values: { accountName: string; inviterEmail: string | undefined; role: string; url: string; expiresAt: string }): EmailContent;
  /** The one-time password reset link. */
  passwordReset(values: { url: string; minutes: number }): EmailContent;
  /** Notice: the password was changed (by the operator, signed in). */
  passwordChanged(values: { at: string }): EmailContent;
  /** Notice: the password was reset through an e-mailed link. */
  passwordResetDone(values: { at: string }): EmailContent;
  /** Notice: the operator turned their own two-factor authentication off. */
  mfaDisabled(values: { at: string }): EmailContent;
  /** Notice: a passkey was added to the operator's sign-in. */
  passkeyAdded(values: { at: string; name: string }): EmailContent;
  /** Notice: an owner of an account reset the operator's two-factor authentication. */
  mfaResetByOwner(values: { at: string; accountName: string }): EmailContent;
  /** End-user factor `email_pin`. */
  signInPin(values: { organizationName: string; pin: string; minutes: number }): EmailContent;
  /** End-user factor `email_link`. */
  signInLink(values: { organizationName: string; url: string; minutes: number }): EmailContent;
}

export type EmailKind = keyof EmailCatalogue;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Turns catalogue content into the two parts of a message to `to`. */
export function renderEmail(to: string, content: EmailContent): EmailMessage {
  const { subject, paragraphs, action, footer = [] } = content;
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), ...footer].join('\n\n') + '\n';
  const p = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40em">',
    ...paragraphs.map(p),
    ...(action ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`, p(action.url)] : []),
    ...footer.map(p),
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html };
}

/** Composes one message of `kind` from the catalogue and sends it. */
export class Mailer {
  constructor(
    private readonly sender: EmailSender,
    private readonly catalogue: EmailCatalogue,
  ) {}

  send<K extends EmailKind>(to: string, kind: K, values: Parameters<EmailCatalogue[K]>[0]): Promise<void> {
    const content = (this.catalogue[kind] as (v: typeof values) => EmailContent)(values);
    return this.sender.send(renderEmail(to, content));
  }
}
