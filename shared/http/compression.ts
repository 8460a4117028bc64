/**
 * gzip for the large, constant text answers (the OpenAPI document, the reference page's script and
 * style sheet). API Gateway HTTP APIs do not compress, so the function does, once per cold start.
 */
import { gzipSync } from 'node:zlib';
import type { HandlerResult } from './responses.ts';

/** A text answer in both encodings, computed once. */
export interface CompressibleText {
  plain: string;
  gzipBase64: string;
}

export function compressible(text: string | Buffer): CompressibleText {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { plain: bytes.toString('utf8'), gzipBase64: gzipSync(bytes).toString('base64') };
}

/** Whether `Accept-Encoding` names gzip (or `*`) without refusing it with `q=0`. */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding = '', ...parameters] = part.trim().toLowerCase().split(';');
    const refused = parameters.some((parameter) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(parameter));
    return (coding.trim() === 'gzip' || coding.trim() === '*') && !refused;
  });
}

/** A 200 with `text`, gzip-encoded when `acceptEncoding` allows; `Vary` tells caches so. */
export function textAnswer(text: CompressibleText, headers: Record<string, string>, acceptEncoding: string | undefined): HandlerResult {
  const varied = { ...headers, vary: 'accept-encoding' };
  return acceptsGzip(acceptEncoding)
    ? { statusCode: 200, headers: { ...varied, 'content-encoding': 'gzip' }, body: text.gzipBase64, isBase64Encoded: true }
    : { statusCode: 200, headers: varied, body: text.plain };
}
