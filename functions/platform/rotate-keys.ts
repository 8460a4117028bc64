import { answerCustomResource, isCustomResourceEvent } from '#shared/http/custom-resource.ts';
import type { Rotation } from '#shared/domain/platform/keyring.ts';
import { keyProvisioning } from '#shared/compose/platform.ts';
import { logger } from '#shared/http/logger.ts';

/**
 * The key function, the only one allowed to write keyrings. CloudFormation runs it at each deployment
 * (a custom resource): it creates the signing keys (ES256 and RS256) and the data keys that are missing, so the API's
 * functions, which only read keyrings, find them. EventBridge runs it on the deployment's schedule: it
 * also starts a rotation of both signing keys (published at once, signing an hour later); a deployment
 * from before RS256 gets its RSA key at the first of these runs.
 */
export const handler = async (event: unknown): Promise<{ signingKid: string; created: string[]; rotated?: Record<'ES256' | 'RS256', Rotation> } | undefined> => {
  if (!isCustomResourceEvent(event)) {
    const result = await keyProvisioning().provision({ rotate: true });
    logger.info('keys provisioned and rotation started', { ...result });
    return result;
  }
  const physicalResourceId = event.PhysicalResourceId ?? 'portcullis-keyrings';
  // Deleting the resource leaves the keys: they are data (the table's), and retained with it in prod.
  if (event.RequestType === 'Delete') {
    await answerCustomResource(event, { status: 'SUCCESS', physicalResourceId });
    return undefined;
  }
  try {
    const result = await keyProvisioning().provision();
    logger.info('keys provisioned at deployment', { ...result });
    await answerCustomResource(event, { status: 'SUCCESS', physicalResourceId, data: { signingKid: result.signingKid } });
    return undefined;
  } catch (error) {
    logger.error('key provisioning failed', { error });
    await answerCustomResource(event, { status: 'FAILED', physicalResourceId, reason: 'Key provisioning failed; see the key function log.' });
    return undefined;
  }
};
