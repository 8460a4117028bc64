/**
 * The key function answers CloudFormation itself (a custom resource with no provider framework): it
 * must answer on every path, or the deployment hangs for an hour. Runs the real handler against
 * DynamoDB Local and the local key file (the keys exist already: the test setup provisioned them,
 * as the deployment does).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/platform/rotate-keys.ts';
import { tokenSigningKeys } from '#shared/compose/platform.ts';

const answers: { body: Record<string, unknown>; contentType: string | undefined }[] = [];
const server = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    answers.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, contentType: request.headers['content-type'] });
    response.writeHead(200).end();
  });
});
let responseUrl = '';

beforeAll(async () => {
  await new Promise<void>((done) => {
    server.listen(0, '127.0.0.1', done);
  });
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=x`;
});
afterAll(() => new Promise<void>((done) => server.close(() => { done(); })));

const event = (requestType: 'Create' | 'Update' | 'Delete') => ({
  RequestType: requestType,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Portcullis-test/1',
  RequestId: `request-${requestType}`,
  LogicalResourceId: 'KeyRotationProvision',
  ResourceType: 'Custom::PortcullisKeyrings',
  ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'portcullis-keyrings' }),
});

describe('the key function as a CloudFormation custom resource', () => {
  it('on Create provisions the keys (idempotently) and answers SUCCESS with the signing key id', async () => {
    answers.length = 0;
    await handler(event('Create'));
    const { kid } = await tokenSigningKeys().signingKey();
    expect(answers).toEqual([
      {
        contentType: '',
        body: {
          Status: 'SUCCESS',
          Reason: 'SUCCESS',
          PhysicalResourceId: 'portcullis-keyrings',
          StackId: event('Create').StackId,
          RequestId: 'request-Create',
          LogicalResourceId: 'KeyRotationProvision',
          Data: { signingKid: kid },
        },
      },
    ]);
  });

  it('on Delete leaves the keys and answers SUCCESS with the same physical id', async () => {
    answers.length = 0;
    await handler(event('Delete'));
    expect(answers.map((answer) => [answer.body.Status, answer.body.PhysicalResourceId, answer.body.RequestId])).toEqual([
      ['SUCCESS', 'portcullis-keyrings', 'request-Delete'],
    ]);
    await expect(tokenSigningKeys().signingKey()).resolves.toMatchObject({ kid: expect.any(String) as string });
  });
});
