/**
 * The API reference page: Swagger UI (npm `swagger-ui-dist`, served by this deployment from
 * `/v2/docs/{asset}`; no CDN) rendering `/v2/openapi.json`. All URLs are relative to the page, so the
 * page works on any host and stage. The only inline script is the three-line initializer, allowed by
 * its hash; scripts, styles and fetches may come from this origin only.
 */
import { createHash } from 'node:crypto';

// `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT_SCRIPT =
  "window.addEventListener('load',function(){window.ui=SwaggerUIBundle({url:'openapi.json',dom_id:'#reference',validatorUrl:null,deepLinking:true,tryItOutEnabled:false});});";

const INIT_SCRIPT_HASH = createHash('sha256').update(INIT_SCRIPT, 'utf8').digest('base64');

export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${INIT_SCRIPT_HASH}'`,
  "style-src 'self'",
  // Swagger UI's style sheet draws its icons as data: SVG images.
  "img-src 'self' data:",
  // The document itself, and "Try it out" requests, go to this API only.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portcullis API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>${INIT_SCRIPT}</script>
</body>
</html>
`;

/** The page's HTML; constant, so it may be cached like the document it renders. */
export function docsPage(): string {
  return HTML;
}
