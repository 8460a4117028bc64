/** The refresh-token rotation grace (docs/sessions.md "Two refreshes at once"), apart so the config can read it without the session service. */

/**
 * The rotation grace by default (Okta's "grace period for refresh token rotation", 0–60 s; Auth0's
 * "reuse interval"): two refreshes of one token at once (a double reload of the console, a navigation
 * while the page-load refresh is in flight, two tabs restored together) are one person, not a thief.
 * 15 s covers a slow page load on a bad network; the longer it is, the longer a stolen token that its
 * owner just rotated still buys one answer (which the reuse detection then catches: `OperatorSessions.refresh`).
 */
export const REFRESH_ROTATION_GRACE_SECONDS = 15;

/** The most a deployment may set: Okta's ceiling. */
export const REFRESH_ROTATION_GRACE_MAX_SECONDS = 60;
