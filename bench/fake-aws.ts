/**
 * Stand-ins for KMS and SNS on loopback, so the benchmark runs the production adapters (KMS envelope
 * keys, SNS SMS) unchanged: the functions reach them through `AWS_ENDPOINT_URL_KMS` and
 * `AWS_ENDPOINT_URL_SNS`. KMS "wraps" a data key by prefixing it (no security here, only the calls);
 * SNS keeps the last message per phone number so the benchmark can read the PIN it sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAws {
  endpoint: string;
  /** The last SMS text sent to each number. */
  lastSms: Map<string, string>;
  calls: { kms: number; sns: number; ses: number };
  close(): Promise<void>;
}

const WRAP = Buffer.from('bench-kms:');

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function kms(target: string, input: Record<string, string>, response: ServerResponse): void {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  if (target === 'TrentService.GenerateDataKey') {
    const plaintext = randomBytes(32);
    reply(200, { KeyId: input.KeyId, Plaintext: plaintext.toString('base64'), CiphertextBlob: Buffer.concat([WRAP, plaintext]).toString('base64') });
  } else if (target === 'TrentService.Decrypt') {
    const blob = Buffer.from(input.CiphertextBlob ?? '', 'base64');
    reply(200, { KeyId: input.KeyId, Plaintext: blob.subarray(WRAP.length).toString('base64') });
  } else {
    reply(400, { __type: 'UnsupportedOperationException', message: target });
  }
}

export async function startFakeAws(): Promise<FakeAws> {
  const lastSms = new Map<string, string>();
  const calls = { kms: 0, sns: 0, ses: 0 };
  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith('TrentService.')) {
        calls.kms++;
        kms(target, JSON.parse(body || '{}') as Record<string, string>, response);
        return;
      }
      // SES v2 is REST JSON: SendEmail is a POST to /v2/email/outbound-emails.
      if (request.method === 'POST' && request.url?.startsWith('/v2/email/outbound-emails')) {
        calls.ses++;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ MessageId: randomUUID() }));
        return;
      }
      // SNS speaks the AWS query protocol: a form body, an XML answer.
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'Publish') {
        calls.sns++;
        lastSms.set(form.get('PhoneNumber') ?? '', form.get('Message') ?? '');
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
        return;
      }
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end('unsupported');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((done) => server.once('listening', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    lastSms,
    calls,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
        server.closeAllConnections();
      }),
  };
}
