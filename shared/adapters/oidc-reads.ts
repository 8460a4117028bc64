import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accessGrantKey, endUserKey, organizationKey, systemKey, type ItemKey } from '../data/keys.ts';
import { isGrantLive } from '../domain/directory/grants.ts';
import type { OidcReads } from '../domain/oidc/oidc-reads.ts';
import { batchGetItems } from './dynamodb.ts';
import { fromAccessGrantItem } from './items/access-grant-item.ts';
import { toEndUser } from './items/end-user-item.ts';
import { toOrganization } from './items/organization-item.ts';
import { fromSystemItem, toSystem } from './items/system-item.ts';

/** The OIDC endpoints' reads: each one BatchGetItem (strongly consistent), not one GetItem per item. */
export class OidcReadRepository implements OidcReads {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findClient(organizationId: string, systemName: string) {
    const [organization, system] = await this.read([organizationKey(organizationId), systemKey(organizationId, systemName)]);
    return { organization: activeOrganization(organization), system: system ? toSystem(system) : undefined };
  }

  async findSubject(organizationId: string, systemName: string, userId: string) {
    const [system, userItem, grant] = await this.read([systemKey(organizationId, systemName), endUserKey(organizationId, userId), accessGrantKey(organizationId, systemName, userId)]);
    const user = userItem ? toEndUser(userItem) : undefined;
    // The one grant rule, as the directory's hasAccess applies it.
    const granted = isGrantLive({
      systemIncarnation: system ? fromSystemItem(system).incarnation : undefined,
      userExists: user !== undefined,
      grantIncarnation: grant ? fromAccessGrantItem(grant).incarnation : undefined,
    });
    return { user, granted };
  }

  async findUser(organizationId: string, userId: string) {
    const [organization, user] = await this.read([organizationKey(organizationId), endUserKey(organizationId, userId)]);
    return { organization: activeOrganization(organization), user: user ? toEndUser(user) : undefined };
  }

  /** The items of `keys`, in their order (undefined where missing). */
  private async read(keys: ItemKey[]): Promise<(Record<string, unknown> | undefined)[]> {
    const items = await batchGetItems(this.db, this.tableName, keys);
    return keys.map((key) => items.find((item) => item.pk === key.pk && item.sk === key.sk));
  }
}

function activeOrganization(item: Record<string, unknown> | undefined): { id: string } | undefined {
  const organization = item ? toOrganization(item) : undefined;
  return organization?.status === 'active' ? organization : undefined;
}
