/**
 * The absolute end (epoch seconds) of the session a token pair belongs to, carried on the pair under a
 * symbol key: `JSON.stringify` skips symbol keys, so the API's JSON answers stay exactly what they
 * were, while the HTTP layer can give the refresh-token cookie of cookie mode a `Max-Age` that ends
 * with the session (shared/http/session-cookie.ts). Object spread copies it along.
 */
export const SESSION_ENDS_AT: unique symbol = Symbol('sessionEndsAt');
