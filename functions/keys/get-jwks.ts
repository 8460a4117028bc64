import { tokenSigningKeys } from '#shared/container.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { json } from '#shared/http/responses.ts';

/** GET /v2/.well-known/jwks.json — public keys only; clients may cache them for five minutes. */
export const handler = defineHandler(routes.getJwks, async () =>
  json(200, { keys: await tokenSigningKeys().verificationKeys() }, { 'cache-control': 'public, max-age=300' }),
);
