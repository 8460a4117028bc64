/**
 * The deployment's settings of the operator's account lifecycle: how signup works, how long operator
 * sessions last, where e-mailed links point. Validated at synth and given, like the deployment limits
 * (deployment-limits.ts), to every function that reads the config: one environment for all, so no
 * function ever runs with another session lifetime or signup mode than its neighbour.
 */
import type { Duration } from 'aws-cdk-lib';
import { ENV, SESSION_LIFETIME_DEFAULTS, SIGNUP_MODES, type SignupMode } from '#shared/config.ts';
import { REFRESH_ROTATION_GRACE_MAX_SECONDS } from '#shared/domain/sessions/refresh-grace.ts';

/** The props of `Portcullis` that set them. */
export interface DeploymentSettingProps {
  /**
   * What `POST /v2/signup` does: `verify-email` e-mails a link and creates the account when it is
   * followed; `open` creates it at once (no proof of the address); `closed` refuses every signup.
   * Context `signupMode`. @default 'verify-email'
   */
  readonly signupMode?: SignupMode;
  /**
   * An operator session ends this long after its login, whatever its refreshes. Whole seconds, at
   * least the access token's 15 minutes. Context `sessionAbsoluteLifetime` (seconds).
   * @default Duration.days(30)
   */
  readonly sessionAbsoluteLifetime?: Duration;
  /**
   * An operator session ends after this long unused; at most `sessionAbsoluteLifetime`. Context
   * `sessionIdleTimeout` (seconds). @default Duration.days(7)
   */
  readonly sessionIdleTimeout?: Duration;
  /**
   * The refresh-token rotation grace: a spent refresh token presented again less than this long after
   * its rotation (a double reload of the console) is answered once more instead of ending the session
   * (docs/sessions.md). Whole seconds from 0 (off) to 60. Context `refreshTokenRotationGrace` (seconds).
   * @default Duration.seconds(15)
   */
  readonly refreshTokenRotationGrace?: Duration;
  /**
   * The console's URL (https, no trailing slash): e-mailed links point at `{consoleUrl}/accept`,
   * `/reset-password`, `/verify-email`. Context `consoleUrl`. @default - the console distribution's
   * URL (`https://<id>.cloudfront.net`); with `console: false`, the API's base URL (`apiBase`)
   */
  readonly consoleUrl?: string;
}

/** Seconds the config reads at most (9 digits). */
const MAX_SECONDS = 999_999_999;
/** A session shorter than one access token would end before its first refresh. */
const MIN_SESSION_SECONDS = 15 * 60;

function seconds(name: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  let value: number;
  try {
    value = duration.toSeconds();
  } catch {
    throw new Error(`${name} must be a whole number of seconds, not ${duration.toHumanString()}`);
  }
  if (!Number.isInteger(value) || value < MIN_SESSION_SECONDS || value > MAX_SECONDS) {
    throw new Error(`${name} must be from 15 minutes to ${String(MAX_SECONDS)} seconds, not ${duration.toHumanString()}`);
  }
  return value;
}

/**
 * Checks the props (a clear error at synth) and answers the environment every function gets.
 * `defaultConsoleUrl` is the console URL when the props set none: the console distribution's URL, or
 * without the console the API's base URL.
 */
export function deploymentSettingsEnvironment(props: DeploymentSettingProps, defaultConsoleUrl: string): Record<string, string> {
  const { signupMode = 'verify-email', consoleUrl } = props;
  if (!(SIGNUP_MODES as readonly string[]).includes(signupMode)) throw new Error(`signupMode must be one of ${SIGNUP_MODES.join(', ')}, not ${JSON.stringify(signupMode)}`);
  const absolute = seconds('sessionAbsoluteLifetime', props.sessionAbsoluteLifetime) ?? SESSION_LIFETIME_DEFAULTS.absoluteSeconds;
  const idle = seconds('sessionIdleTimeout', props.sessionIdleTimeout) ?? SESSION_LIFETIME_DEFAULTS.idleSeconds;
  if (idle > absolute) {
    throw new Error(`sessionIdleTimeout (${String(idle)} s) must not exceed sessionAbsoluteLifetime (${String(absolute)} s)`);
  }
  const grace = props.refreshTokenRotationGrace;
  const graceSeconds = grace === undefined ? undefined : grace.toSeconds({ integral: false });
  if (graceSeconds !== undefined && !(Number.isInteger(graceSeconds) && graceSeconds >= 0 && graceSeconds <= REFRESH_ROTATION_GRACE_MAX_SECONDS)) {
    throw new Error(`refreshTokenRotationGrace must be whole seconds from 0 to ${String(REFRESH_ROTATION_GRACE_MAX_SECONDS)}, not ${grace?.toHumanString() ?? ''}`);
  }
  if (consoleUrl !== undefined && !(URL.canParse(consoleUrl) && /^https:\/\/[^/?#@]+(\/[^?#]*[^/?#])?$/.test(consoleUrl))) {
    throw new Error(`consoleUrl must be an https URL without a trailing slash, query or fragment, not ${JSON.stringify(consoleUrl)}`);
  }
  return {
    [ENV.signupMode]: signupMode,
    [ENV.consoleUrl]: consoleUrl ?? defaultConsoleUrl,
    [ENV.sessionAbsoluteSeconds]: String(absolute),
    [ENV.sessionIdleSeconds]: String(idle),
    // Unset: the config's default (`REFRESH_ROTATION_GRACE_SECONDS`), so existing stacks keep their template.
    ...(graceSeconds === undefined ? {} : { [ENV.sessionRefreshGraceSeconds]: String(graceSeconds) }),
  };
}
