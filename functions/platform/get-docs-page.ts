import { DOCS_PAGE_CSP, docsPage } from '#shared/http/docs-page.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { platformRoutes } from '#shared/routes/platform.ts';
import { content } from '#shared/http/responses.ts';

/** GET /v2/docs — the API reference page; Swagger UI renders /v2/openapi.json in the browser. */
export const handler = defineHandler(platformRoutes.getDocsPage, () =>
  Promise.resolve(
    content(200, 'text/html; charset=utf-8', docsPage(), { 'content-security-policy': DOCS_PAGE_CSP, 'cache-control': 'public, max-age=300' }),
  ),
);
