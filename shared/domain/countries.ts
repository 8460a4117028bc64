/**
 * ISO 3166-1 alpha-2 country codes, officially assigned (2024): what an SMS allow-list may name, in the
 * organization settings (shared/schemas/organizations.ts), the deployment's config (shared/config.ts)
 * and the CDK props (infra/portcullis.ts). No libphonenumber here: the schemas and the config are in
 * every bundle.
 */
export const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
    'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
    'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
    'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
    'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
    'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
    'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
    'YT ZA ZM ZW'
  ).split(' '),
);

/**
 * A deployment's SMS allow-list from its written form (`FR,DE, GB`): upper-case ISO codes, no
 * duplicates, at least one. Throws naming `what` (the environment variable or the CDK prop).
 */
export function parseCountryList(value: string | readonly string[], what: string): string[] {
  const codes = (typeof value === 'string' ? value.split(',') : [...value]).map((code) => code.trim()).filter((code) => code !== '');
  const unknown = codes.filter((code) => !ISO_COUNTRIES.has(code));
  if (unknown.length > 0) throw new Error(`${what}: ${unknown.join(', ')} is not an upper-case ISO 3166-1 alpha-2 country code`);
  if (codes.length === 0) throw new Error(`${what} must name at least one country (ISO 3166-1 alpha-2, e.g. FR,DE,GB)`);
  return [...new Set(codes)];
}
