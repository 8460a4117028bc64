import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HandlerResult = APIGatewayProxyStructuredResultV2;

/**
 * Headers on every response: API answers are never cached or framed or sniffed, and carry no
 * active content (the HTML enrolment page sets its own CSP).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HandlerResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export const ok = (body: unknown): HandlerResult => json(200, body);
export const created = (body: unknown): HandlerResult => json(201, body);
export const noContent = (): HandlerResult => ({ statusCode: 204, headers: {} });

/** A non-JSON answer (a `text/plain` download, an HTML page); `contentType` includes the charset. */
export function content(statusCode: number, contentType: string, body: string, headers: Record<string, string> = {}): HandlerResult {
  return { statusCode, headers: { 'content-type': contentType, ...headers }, body };
}

/** Whether the client asked for `text/plain` over JSON (`Accept: text/plain`). */
export function acceptsTextPlain(headers: Record<string, string | undefined>): boolean {
  const accept = headers.accept ?? '';
  return /(^|,)\s*text\/plain\b/i.test(accept) && !/(^|,)\s*application\/json\b/i.test(accept.split(',')[0] ?? '');
}
