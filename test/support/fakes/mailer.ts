import type { EmailCatalogue, EmailKind, Mailer } from '#shared/domain/platform/email.ts';

/** One message the domain asked to send: its kind and values, before any rendering. */
export interface SentEmail<K extends EmailKind = EmailKind> {
  to: string;
  kind: K;
  values: Parameters<EmailCatalogue[K]>[0];
}

/** The mailer port, recording what was sent (unit tests read tokens out of the links, as a recipient would). */
export class RecordingMailer implements Pick<Mailer, 'send'> {
  readonly sent: SentEmail[] = [];

  send<K extends EmailKind>(to: string, kind: K, values: Parameters<EmailCatalogue[K]>[0]): Promise<void> {
    this.sent.push({ to, kind, values });
    return Promise.resolve();
  }

  /** The newest message of `kind` to `to`. */
  last<K extends EmailKind>(to: string, kind: K): SentEmail<K> | undefined {
    return this.sent.findLast((mail): mail is SentEmail<K> => mail.to === to && mail.kind === kind);
  }

  /** The `token` query parameter of the newest `kind` link to `to`. */
  tokenIn(to: string, kind: 'invitation' | 'signupVerification'): string {
    const mail = this.last(to, kind);
    const token = mail ? new URL((mail.values as { url: string }).url).searchParams.get('token') : null;
    if (!token) throw new Error(`no ${kind} link sent to ${to}`);
    return token;
  }
}
