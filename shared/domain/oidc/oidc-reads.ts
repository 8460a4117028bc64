/**
 * What the token and userinfo endpoints read, each step in one strongly consistent read (DynamoDB:
 * one BatchGetItem each, shared/adapters/oidc-reads.ts): the client with its organization before a
 * code is redeemed, the end user with their grant after.
 */
import type { EndUser, SignInSystem } from '../sign-in/model.ts';

export interface OidcReads {
  /** The organization (undefined when missing or deleted) and the system named `client_id`. */
  findClient(organizationId: string, systemName: string): Promise<{ organization: { id: string } | undefined; system: SignInSystem | undefined }>;
  /** The end user, and whether their access grant to the system is live (`isGrantLive`). */
  findSubject(organizationId: string, systemName: string, userId: string): Promise<{ user: EndUser | undefined; granted: boolean }>;
  /** The organization (undefined when missing or deleted) and the end user. */
  findUser(organizationId: string, userId: string): Promise<{ organization: { id: string } | undefined; user: EndUser | undefined }>;
}
