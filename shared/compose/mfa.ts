/** Two-factor authentication: TOTP factors, MFA tokens, the operator's 2FA (self-service, login step, enrolment links, owner reset), end users' TOTP. */
import { AccountRepository } from '../adapters/account-repository.ts';
import { KeyringRepository } from '../adapters/keyring-repository.ts';
import { LoginThrottleRepository } from '../adapters/login-throttle-repository.ts';
import { MfaRepository } from '../adapters/mfa-repository.ts';
import { config } from '../config.ts';
import { EndUserTotp, EndUserTotpAdmin } from '../domain/mfa/end-user-totp.ts';
import { EnrollmentLinks } from '../domain/mfa/enrollment-links.ts';
import { MemberMfa } from '../domain/mfa/member-mfa.ts';
import { MfaPolicy, type MfaPolicyStore } from '../domain/mfa/mfa-policy.ts';
import type { MfaAuditPort } from '../domain/mfa/mfa-subject.ts';
import { MfaTokens } from '../domain/mfa/mfa-tokens.ts';
import { OperatorMfa } from '../domain/mfa/operator-mfa.ts';
import { OperatorSecondFactor } from '../domain/mfa/operator-second-factor.ts';
import { TotpFactors } from '../domain/mfa/totp-factors.ts';
import { TotpSecretCipher } from '../domain/mfa/totp.ts';
import { LoginThrottle } from '../domain/sessions/login-throttle.ts';
import type { EndUserSecondFactor } from '../domain/sign-in/model.ts';
import { signInDirectory } from './directory.ts';
import { documentClient, masterKey, metrics, once, tableName } from './runtime.ts';
import { accessControl, auditRepository, operatorStore, organizationRepository, securityNotices } from './shared.ts';

export const mfaRepository = /* @__PURE__ */ once(() => new MfaRepository(documentClient(), tableName()));

/** The data key that encrypts TOTP secrets, unwrapped once per cold start. */
const totpSecretCipher = /* @__PURE__ */ once(
  () => new TotpSecretCipher(new KeyringRepository(documentClient(), tableName()), () => masterKey((k) => k.dataKmsKeyId)),
);

/** Where MFA events go: every account of an operator, the organization's account of an end user. */
const mfaAudit = /* @__PURE__ */ once(
  (): MfaAuditPort => ({
    audiencesOf: async (subject) => {
      if (subject.kind === 'operator') {
        return (await operatorStore().listMembershipsOfUser(subject.userId)).map((m) => ({ accountId: m.accountId, organizationId: null }));
      }
      const organization = await organizationRepository().findOrganization(subject.organizationId);
      return organization ? [{ accountId: organization.accountId, organizationId: organization.id }] : [];
    },
    recordEvents: async (events) => {
      await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
    },
  }),
);

/** The TOTP issuer shown in authenticator apps: `Portcullis` in prod, the stage named elsewhere. */
const totpIssuer = (): string => (config().stage === 'prod' ? 'Portcullis' : `Portcullis (${config().stage})`);

export const totpFactors = /* @__PURE__ */ once(() => new TotpFactors(mfaRepository(), totpSecretCipher(), mfaAudit(), { issuer: totpIssuer() }, undefined, metrics()));

/** Enforcement reads account settings and the organizations (with groups) that cover a member. */
const mfaPolicy = /* @__PURE__ */ once(
  (): MfaPolicyStore => ({
    listMembershipsOfUser: (userId) => operatorStore().listMembershipsOfUser(userId),
    accountRequiresMfa: async (accountId) =>
      (await new AccountRepository(documentClient(), tableName()).findAccountProfile(accountId))?.settings.requireMfa ?? false,
    organizationsRequiringMfa: async (accountId) => {
      const required: string[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await organizationRepository().listOrganizationsOfAccount(accountId, { limit: 100, ...(cursor ? { cursor } : {}) });
        required.push(...page.items.filter((o) => o.settings.requireMfa).map((o) => o.id));
        cursor = page.lastKey;
      } while (cursor);
      return required;
    },
    groupOrganizations: async (accountId, groupIds) => {
      const wanted = new Set(groupIds);
      const groups = await organizationRepository().listGroupsOfAccount(accountId);
      return new Set(groups.filter((g) => wanted.has(g.id)).flatMap((g) => g.organizations));
    },
  }),
);

/** Login MFA tokens, enrolment tokens and the enrolment page's tokens. */
export const mfaTokens = /* @__PURE__ */ once(() => new MfaTokens(mfaRepository()));

const loginThrottle = /* @__PURE__ */ once(() => new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName()), undefined, metrics()));

/** Operator 2FA self-service: enrol, confirm, regenerate recovery codes, disable, status. */
export const operatorMfa = /* @__PURE__ */ once(() => new OperatorMfa(totpFactors(), operatorStore(), loginThrottle(), securityNotices()));

/** The login's second step and what the session gate reads (factors, `requireMfa`). */
export const operatorSecondFactor = /* @__PURE__ */ once(() => new OperatorSecondFactor(totpFactors(), mfaTokens(), new MfaPolicy(mfaPolicy())));

/** The enrolment page behind an owner's link. */
export const enrollmentLinks = /* @__PURE__ */ once(
  () => new EnrollmentLinks(totpFactors(), mfaRepository(), mfaTokens(), operatorStore(), loginThrottle()),
);

/** An owner's reset of a member's 2FA and the enrolment link. */
export const memberMfa = /* @__PURE__ */ once(() => new MemberMfa(totpFactors(), enrollmentLinks(), operatorStore(), accessControl(), securityNotices()));

/** End users' TOTP as the challenge engine uses it (`totp` / `recoveryCode` factors). */
export const endUserSecondFactor = /* @__PURE__ */ once((): EndUserSecondFactor => new EndUserTotp(totpFactors()));

/** End users' TOTP set-up routes (`…/users/{userId}/totp`). */
export const endUserTotpAdmin = /* @__PURE__ */ once(() => new EndUserTotpAdmin(accessControl(), () => signInDirectory(), totpFactors()));
