import { tokenSigningKeys } from '#shared/compose/platform.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { platformRoutes } from '#shared/routes/platform.ts';
import { json } from '#shared/http/responses.ts';

/** GET /v2/.well-known/jwks.json — public keys only; clients may cache them for five minutes. */
export const handler = defineHandler(platformRoutes.getJwks, async () =>
  json(200, { keys: await tokenSigningKeys().verificationKeys() }, { 'cache-control': 'public, max-age=300' }),
);
