/**
 * The console's Content-Security-Policy (SPEC §10: strict, no inline script): its own scripts,
 * styles and API only (`/v2/*` is the same origin), never framed, no `<base>`, forms post home.
 * CloudFront's response-headers policy sends it in a deployment (infra/constructs/console-distribution.ts)
 * and the local server with the console's files (local/console.ts): one string for both.
 *
 * React Aria adds two `<style>` elements of its own (usePress: no double-tap zoom delay on pressable
 * elements; usePreventScroll on iOS: no overscroll behind a modal); they are allowed by their exact
 * hashes, nothing else inline. A React Aria upgrade that changes either text shows up as a CSP
 * violation, which every console browser test fails on (test/support/console.ts).
 */
export const REACT_ARIA_STYLE_HASHES = [
  "'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o='",
  "'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='",
] as const;

export const CONSOLE_CSP = `default-src 'self'; script-src 'self'; style-src 'self' ${REACT_ARIA_STYLE_HASHES.join(' ')}; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
