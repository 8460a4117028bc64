/**
 * Repositories and the access decision that several areas read: operators (sessions, tenancy, mfa),
 * organizations and groups (tenancy, mfa, sign-in), the audit log (every area writes events). Kept
 * here so the area modules import downwards only and never each other in a cycle.
 */
import { AuditRepository } from '../adapters/audit-repository.ts';
import { EmailSuppressionRepository } from '../adapters/email-suppression-repository.ts';
import { OperatorRepository } from '../adapters/operator-repository.ts';
import { OrganizationRepository } from '../adapters/organization-repository.ts';
import { OutboxEmailSender } from '../adapters/outbox-email-sender.ts';
import { SesEmailSender } from '../adapters/ses-email-sender.ts';
import { config } from '../config.ts';
import { Mailer, type EmailSender } from '../domain/platform/email.ts';
import { SuppressingEmailSender } from '../domain/platform/email-suppression.ts';
import { en } from '../domain/platform/messages/en.ts';
import { SecurityNotices } from '../domain/platform/security-notices.ts';
import { AccessControl } from '../domain/tenancy/actors.ts';
import { logger } from '../http/logger.ts';
import { documentClient, once, sesClient, tableName } from './runtime.ts';

export const operatorStore = /* @__PURE__ */ once(() => new OperatorRepository(documentClient(), tableName()));

export const organizationRepository = /* @__PURE__ */ once(() => new OrganizationRepository(documentClient(), tableName()));

export const auditRepository = /* @__PURE__ */ once(() => new AuditRepository(documentClient(), tableName()));

/** Access decisions: memberships from the operator store, organizations and groups from theirs. */
export const accessControl = /* @__PURE__ */ once(
  () =>
    new AccessControl({
      findMembership: (accountId, userId) => operatorStore().findMembership(accountId, userId),
      findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      listGroupsOfAccount: (accountId) => organizationRepository().listGroupsOfAccount(accountId),
    }),
);

/** The process's e-mail outbox when e-mail stays local (`npm start`, tests): `GET /_local/email`. */
export const localEmailOutbox = /* @__PURE__ */ once(() => new OutboxEmailSender());

export const emailSender = /* @__PURE__ */ once<EmailSender>(() => {
  const email = config().email;
  return email.provider === 'outbox'
    ? localEmailOutbox()
    : new SesEmailSender(sesClient, { from: email.from, configurationSet: email.configurationSet, replyTo: email.replyTo });
});

/** The addresses SES reported undeliverable (written by the e-mail feedback function only). */
export const emailSuppressions = /* @__PURE__ */ once(() => new EmailSuppressionRepository(documentClient(), tableName()));

/**
 * Every e-mail of every area, composed from the English catalogue (a second language: another
 * catalogue file), and never to an undeliverable address: one GetItem before each message, which is
 * then skipped and logged with the address masked. The sign-in's e-mail factors, which send through
 * `emailSender()`, check the suppression in their own batched reads instead.
 */
export const mailer = /* @__PURE__ */ once(
  () =>
    new Mailer(
      new SuppressingEmailSender(emailSender(), emailSuppressions(), (to) => {
        logger.warn('e-mail not sent: SES reported the address undeliverable', { to });
      }),
      en,
    ),
);

/** Security notices to operators (password changed or reset, 2FA off or reset): sent after the change, a failure only logged. */
export const securityNotices = /* @__PURE__ */ once(
  () =>
    new SecurityNotices(mailer(), (message, details) => {
      logger.warn(message, details);
    }),
);
