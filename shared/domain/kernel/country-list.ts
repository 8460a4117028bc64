/**
 * The written form of a deployment's SMS allow-list, without the ISO list itself (shared/domain/
 * countries.ts): the config is in every bundle and checks the shape only.
 */
/**
 * A deployment's SMS allow-list from its written form (`FR,DE, GB`): trimmed, without duplicates, at
 * least one, each code accepted by `isCountry`. Throws naming `what` (the environment variable or the
 * CDK prop). The config checks the shape only (two upper-case letters: the ISO list would weigh on
 * every bundle); the CDK construct checks the ISO list at synth.
 */
export function parseCountryList(value: string | readonly string[], what: string, isCountry: (code: string) => boolean = (code) => /^[A-Z]{2}$/.test(code)): string[] {
  const codes = (typeof value === 'string' ? value.split(',') : [...value]).map((code) => code.trim()).filter((code) => code !== '');
  const unknown = codes.filter((code) => !isCountry(code));
  if (unknown.length > 0) throw new Error(`${what}: ${unknown.join(', ')} is not an upper-case ISO 3166-1 alpha-2 country code`);
  if (codes.length === 0) throw new Error(`${what} must name at least one country (ISO 3166-1 alpha-2, e.g. FR,DE,GB)`);
  return [...new Set(codes)];
}
