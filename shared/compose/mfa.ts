/** Two-factor authentication: TOTP factors, the operator's 2FA, end users' TOTP. */
import { AccountRepository } from '../adapters/account-repository.ts';
import { KeyringRepository } from '../adapters/keyring-repository.ts';
import { LoginThrottleRepository } from '../adapters/login-throttle-repository.ts';
import { MfaRepository } from '../adapters/mfa-repository.ts';
import { config } from '../config.ts';
import { EndUserTotp, EndUserTotpAdmin } from '../domain/mfa/end-user-totp.ts';
import { OperatorMfa, TotpFactors, type MfaAuditPort, type MfaPolicyStore } from '../domain/mfa/mfa.ts';
import { TotpSecretCipher } from '../domain/mfa/totp.ts';
import { LoginThrottle } from '../domain/sessions/login-throttle.ts';
import type { EndUserSecondFactor } from '../domain/sign-in/model.ts';
import { signInDirectory } from './directory.ts';
import { documentClient, masterKey, metrics, once, tableName } from './runtime.ts';
import { accessControl, auditRepository, operatorStore, organizationRepository } from './shared.ts';

export const mfaRepository = /* @__PURE__ */ once(() => new MfaRepository(documentClient(), tableName()));

/** The data key that encrypts TOTP secrets, unwrapped once per cold start. */
const totpSecretCipher = /* @__PURE__ */ once(
  () => new TotpSecretCipher(new KeyringRepository(documentClient(), tableName()), () => masterKey((k) => k.dataKmsKeyId)),
);

/** Where MFA and login events go: every account of an operator, the organization's account of an end user. */
export const mfaAudit = /* @__PURE__ */ once(
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

/** Operator 2FA: self-service, login second step, enforcement, enrolment links, admin reset. */
export const operatorMfa = /* @__PURE__ */ once(
  () =>
    new OperatorMfa(
      totpFactors(),
      mfaRepository(),
      mfaPolicy(),
      operatorStore(),
      accessControl(),
      new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName()), undefined, metrics()),
    ),
);

/** End users' TOTP as the challenge engine uses it (`totp` / `recoveryCode` factors). */
export const endUserSecondFactor = /* @__PURE__ */ once((): EndUserSecondFactor => new EndUserTotp(totpFactors()));

/** End users' TOTP set-up routes (`…/users/{userId}/totp`). */
export const endUserTotpAdmin = /* @__PURE__ */ once(() => new EndUserTotpAdmin(accessControl(), () => signInDirectory(), totpFactors()));
