/**
 * The deployment's limits above every tenant (SPEC §6): the SMS countries (required), the daily SMS
 * and sign-in e-mail caps of the deployment and of each account, the quota of organizations per account. Validated at
 * synth and given to every function as environment variables (shared/config.ts reads them at cold
 * start and fails fast without the countries). Kept apart from portcullis.ts, which only spreads the
 * result into each function's environment.
 */
import { DEPLOYMENT_LIMIT_DEFAULTS, ENV } from '#shared/config.ts';
import { ISO_COUNTRIES } from '#shared/domain/kernel/countries.ts';
import { parseCountryList } from '#shared/domain/kernel/country-list.ts';

/** The props of `Portcullis` that set the deployment's limits. */
export interface DeploymentLimitProps {
  /**
   * ISO 3166-1 alpha-2 codes of the countries SMS may go to (SMS pumping defence): an organization's
   * `smsAllowedCountries` can only narrow this list, and an empty one means this list. Required: which
   * countries a deployment pays SMS to is the deployer's decision. Context `smsAllowedCountries=FR,DE`.
   */
  readonly smsAllowedCountries: readonly string[];
  /** SMS the whole deployment sends per UTC day, every account together. @default 10000 */
  readonly smsDeploymentDailyLimit?: number;
  /** SMS one account sends per UTC day, all its organizations together; no organization may set more. @default 1000 */
  readonly smsAccountDailyLimit?: number;
  /** Sign-in e-mails (`email_pin`, `email_link`) the whole deployment sends per UTC day. @default 10000 */
  readonly emailDeploymentDailyLimit?: number;
  /** Sign-in e-mails one account sends per UTC day, all its organizations together; no organization may set more. @default 1000 */
  readonly emailAccountDailyLimit?: number;
  /** Active organizations one account may have (signup is public: this bounds what one signup can create). @default 1000 */
  readonly organizationsPerAccount?: number;
}

/** Checks the props (a clear error at synth) and answers the environment every function gets. */
export function deploymentLimitsEnvironment(props: Partial<DeploymentLimitProps>): Record<string, string> {
  if (props.smsAllowedCountries === undefined) {
    throw new Error(
      'smsAllowedCountries is required: the ISO 3166-1 alpha-2 codes of the countries this deployment may send SMS to ' +
        '(e.g. `-c smsAllowedCountries=FR,DE,GB`, or the construct prop). It caps what any organization can allow.',
    );
  }
  const countries = parseCountryList(props.smsAllowedCountries, 'smsAllowedCountries', (code) => ISO_COUNTRIES.has(code));
  const numbers = {
    smsDeploymentDailyLimit: props.smsDeploymentDailyLimit ?? DEPLOYMENT_LIMIT_DEFAULTS.smsDeploymentDailyLimit,
    smsAccountDailyLimit: props.smsAccountDailyLimit ?? DEPLOYMENT_LIMIT_DEFAULTS.smsAccountDailyLimit,
    organizationsPerAccount: props.organizationsPerAccount ?? DEPLOYMENT_LIMIT_DEFAULTS.organizationsPerAccount,
    emailDeploymentDailyLimit: props.emailDeploymentDailyLimit ?? DEPLOYMENT_LIMIT_DEFAULTS.emailDeploymentDailyLimit,
    emailAccountDailyLimit: props.emailAccountDailyLimit ?? DEPLOYMENT_LIMIT_DEFAULTS.emailAccountDailyLimit,
  };
  for (const [name, value] of Object.entries(numbers)) {
    // The config reads at most 9 digits for the SMS and e-mail caps and 6 for the quota.
    const max = name === 'organizationsPerAccount' ? 999_999 : 999_999_999;
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${String(max)}, not ${String(value)}`);
  }
  return {
    [ENV.smsAllowedCountries]: countries.join(','),
    [ENV.smsDeploymentDailyLimit]: String(numbers.smsDeploymentDailyLimit),
    [ENV.smsAccountDailyLimit]: String(numbers.smsAccountDailyLimit),
    [ENV.organizationsPerAccount]: String(numbers.organizationsPerAccount),
    [ENV.emailDeploymentDailyLimit]: String(numbers.emailDeploymentDailyLimit),
    [ENV.emailAccountDailyLimit]: String(numbers.emailAccountDailyLimit),
  };
}
