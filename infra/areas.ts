/**
 * The business areas of the API (`AREAS`, shared/routes/definition.ts). Each area's functions, their
 * roles, Lambda permissions, integrations and routes live in a nested stack of their own
 * (`AreaStack`, infra/constructs/area-stack.ts), so that no CloudFormation template nears the
 * 500-resource limit as routes are added. A new area (email, oidc, console, passkeys) is one more
 * entry in `AREAS`; its nested stack appears with its first route. Only routes have an area: the
 * authorizers and the key function stay in the parent stack, next to the API and the keys.
 */
import { AREAS, type Area } from '#shared/routes/definition.ts';

export { AREAS, type Area };

/**
 * The area of a route: the one its entry names, which must also be its handler's folder
 * (`functions/<area>/…`). Anything else fails the synth: its nested stack would otherwise be a guess.
 */
export function areaOf(definition: { readonly id: string; readonly handler: string; readonly area: string }): Area {
  const area = AREAS.find((candidate) => candidate === definition.area);
  if (!area || !definition.handler.startsWith(`functions/${area}/`)) {
    throw new Error(
      `Route ${definition.id}: area "${definition.area}" with handler ${definition.handler}: put the handler under functions/<area>/ of one of ${AREAS.join(', ')}`,
    );
  }
  return area;
}

/** The construct id of an area's nested stack: `sign-in` → `SignIn`. */
export function areaConstructId(area: Area): string {
  return area
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
