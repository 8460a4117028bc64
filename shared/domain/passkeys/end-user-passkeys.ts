/**
 * End users' passkeys (SPEC §11): registered for one system's relying party by the customer's app
 * (an operator or a `manage` key of the organization calls the API; the app runs the browser
 * ceremony), listed and removed the same way. The sign-in engine uses them as the `passkey` factor
 * (shared/domain/sign-in/credentials.ts). Same roles as the end users' TOTP routes: `enduser:mfa` to
 * register and remove, `enduser:read` to list. The tenant comes from the credential only.
 */
import type { AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestFacts } from '../kernel/request.ts';
import type { EndUser, SignInSystem } from '../sign-in/model.ts';
import { auditContextOf, type AccessControl } from '../tenancy/actors.ts';
import type { Action, Actor } from '../tenancy/authorization.ts';
import { auditEvent } from '../kernel/audit-events.ts';
import { creationOptions, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON, type RelyingParty, type VerifierLoader } from './options.ts';
import { endUserOwner, MAX_PASSKEYS_PER_OWNER, viewOf, type PasskeyFlowStore, type PasskeyStore, type PasskeyView } from './model.ts';
import { passkeyLimit, PasskeyFlows, storeRegistration, type CeremonyStart } from './operator-passkeys.ts';

/** The directory reads registration needs (the sign-in directory implements them). */
export interface EndUserPasskeyDirectory {
  findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined>;
  findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined>;
}

/** Where passkey events go: the organization's audit log. */
export type RecordPasskeyEvent = (event: AuditEvent) => Promise<void>;

export const webauthnNotConfigured = (): ConflictError =>
  new ConflictError('webauthn_not_configured', 'The system has no webauthn relying party for passkeys: set its webauthn {rpId, origins} first.');

export class EndUserPasskeys {
  private readonly flows: PasskeyFlows;

  constructor(
    private readonly access: AccessControl,
    private readonly directory: () => EndUserPasskeyDirectory,
    private readonly store: PasskeyStore,
    flowStore: PasskeyFlowStore,
    private readonly audit: RecordPasskeyEvent,
    /** The response checks (ceremonies.ts), loaded on first use; `noVerifier` in the functions that check none. */
    private readonly verifier: VerifierLoader,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.flows = new PasskeyFlows(flowStore, now);
  }

  /**
   * Creation options for a new passkey of the end user on `systemName`'s relying party: discoverable
   * (resident key required: end users sign in with discoverable credentials only), user verification
   * preferred, attestation `none`, the user's passkeys excluded. The flow is bound to the user and the system.
   */
  async registrationOptions(request: RequestFacts, orgId: string, userId: string, systemName: string): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    await this.resolve(request, orgId, 'enduser:mfa');
    const [user, system] = await Promise.all([this.directory().findEndUser(orgId, userId), this.directory().findSystem(orgId, systemName)]);
    if (!user) throw new NotFoundError('User');
    if (!system) throw new NotFoundError('System');
    if (!system.webauthn) throw webauthnNotConfigured();
    const rp: RelyingParty = { rpId: system.webauthn.rpId, rpName: system.name, origins: system.webauthn.origins };
    const owner = endUserOwner(orgId, userId);
    const existing = await this.store.listPasskeysOf(owner);
    if (existing.length >= MAX_PASSKEYS_PER_OWNER) throw passkeyLimit();
    const flow = await this.flows.start('register', rp, owner, system.name);
    // The user handle is the end user's id (WebAuthn allows 64 bytes: the owner string with its organization does not fit); the passkey's owner is kept on the server.
    const publicKey = await creationOptions(rp, { handle: userId, name: user.email, displayName: user.name ?? user.email }, existing, flow.challenge, 'required');
    return { flowId: flow.flowId, publicKey };
  }

  /**
   * Verifies the credential on the flow (spent by this call, right or wrong) and stores it; audited
   * `passkey.added`. A flow outlives its user by up to 5 minutes: the user must still exist, before
   * the write and after it (a delete that committed in between listed the passkeys before it was
   * there, so the passkey is taken back here), and 404 otherwise.
   */
  async register(request: RequestFacts, orgId: string, userId: string, input: { flowId: string; name: string; response: RegistrationResponseJSON }): Promise<PasskeyView> {
    const { actor, accountId } = await this.resolve(request, orgId, 'enduser:mfa');
    const owner = endUserOwner(orgId, userId);
    const flow = await this.flows.take(input.flowId, 'register', owner);
    if (!(await this.directory().findEndUser(orgId, userId))) throw new NotFoundError('User');
    const passkey = await storeRegistration(this.store, flow, owner, input, this.now(), this.verifier);
    if (!(await this.directory().findEndUser(orgId, userId))) {
      await this.store.deletePasskey(passkey.id, owner);
      throw new NotFoundError('User');
    }
    await this.record(actor, request, { accountId, orgId, userId }, 'passkey.added', { passkeyId: passkey.id, name: passkey.name, system: flow.system, rpId: passkey.rpId });
    return viewOf(passkey);
  }

  /** The end user's passkeys; 404 for an unknown user. */
  async list(request: RequestFacts, orgId: string, userId: string): Promise<PasskeyView[]> {
    await this.resolve(request, orgId, 'enduser:read');
    if (!(await this.directory().findEndUser(orgId, userId))) throw new NotFoundError('User');
    return (await this.store.listPasskeysOf(endUserOwner(orgId, userId))).map(viewOf);
  }

  /** Removes one; another user's passkey and an unknown id are the same 404. Audited `passkey.removed`. */
  async remove(request: RequestFacts, orgId: string, userId: string, passkeyId: string): Promise<void> {
    const { actor, accountId } = await this.resolve(request, orgId, 'enduser:mfa');
    if (!(await this.store.deletePasskey(passkeyId, endUserOwner(orgId, userId)))) throw new NotFoundError('Passkey');
    await this.record(actor, request, { accountId, orgId, userId }, 'passkey.removed', { passkeyId });
  }

  private async resolve(request: RequestFacts, orgId: string, action: Action): Promise<{ actor: Actor; accountId: string }> {
    const { actor, organization } = await this.access.actorForOrganization(request.principal, orgId);
    await this.access.require(actor, action, { accountId: organization.accountId, organizationId: orgId });
    return { actor, accountId: organization.accountId };
  }

  private record(actor: Actor, request: RequestFacts, where: { accountId: string; orgId: string; userId: string }, type: string, details: Record<string, unknown>): Promise<void> {
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId: where.accountId, organizationId: where.orgId, type, target: { type: 'end_user', id: where.userId }, details },
      this.now(),
    );
    return this.audit(event);
  }
}
