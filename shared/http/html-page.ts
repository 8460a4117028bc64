/**
 * The shell of the server-rendered pages (the enrolment link's, the hosted login's): plain HTML that
 * works without JavaScript, no external assets, one inline style allowed by its hash, and a CSP that
 * allows nothing else: no scripts (but the one a page names by its hash: the hosted login's passkey
 * step), forms only to this origin (and, for the hosted login, to the client's registered redirect
 * origin), never framed.
 */
import { createHash } from 'node:crypto';
import { content, type HandlerResult } from './responses.ts';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
code,kbd{font-family:ui-monospace,monospace;font-size:1.1rem;letter-spacing:.05em}
.qr svg{width:240px;height:240px}.codes li{font-family:ui-monospace,monospace;font-size:1.1rem}
.error{color:#a00000}input{font-size:1.2rem;width:8rem}button{font-size:1.1rem}
.org{color:#444;margin:0 0 .25rem}label{display:block;margin:1rem 0 .25rem}
input.wide{width:100%;max-width:22rem;box-sizing:border-box}form{margin:0 0 1rem}
button.link{background:none;border:0;padding:0;color:#0645ad;text-decoration:underline;cursor:pointer;font-size:1rem}`;

/** The CSP source of an inline `<script>` or `<style>` text: its SHA-256, as the browser computes it over the element's text. */
export const inlineHash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const STYLE_HASH = inlineHash(STYLE);

/**
 * The pages' policy; `formTargets` are origins the forms may post (or their answers redirect) to
 * besides this one; `scriptHashes` (from `inlineHash`) the inline scripts the page may run, and no
 * other (without them `default-src 'none'` forbids every script).
 */
export function pageCsp(formTargets: readonly string[] = [], scriptHashes: readonly string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  const scripts = scriptHashes.length ? `; script-src ${scriptHashes.join(' ')}` : '';
  return `default-src 'none'; style-src ${STYLE_HASH}; img-src data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'${scripts}`;
}

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface HtmlPage {
  status: number;
  /** The `<title>` and, unless `heading` is given, the one `<h1>`. */
  title: string;
  /** Trusted HTML (every value in it escaped by the caller). */
  body: string;
  /** Trusted HTML before the `<h1>` (the organization's name). */
  before?: string;
  /** Trusted HTML in `<head>` (a `<meta http-equiv="refresh">`). */
  head?: string;
  csp?: string;
  headers?: Record<string, string>;
  cookies?: string[];
}

export function htmlPage(page: HtmlPage): HandlerResult {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">${page.head ?? ''}<title>${escapeHtml(page.title)}</title><style>${STYLE}</style></head>
<body><main>${page.before ?? ''}<h1>${escapeHtml(page.title)}</h1>
${page.body}
</main></body></html>
`;
  const result = content(page.status, 'text/html; charset=utf-8', html, { 'content-security-policy': page.csp ?? pageCsp(), ...page.headers });
  return page.cookies?.length ? { ...result, cookies: page.cookies } : result;
}
