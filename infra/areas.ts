/**
 * The business areas of the API. Each area's functions, their roles, Lambda permissions,
 * integrations and routes live in a nested stack of their own (`AreaStack`, infra/constructs/area-stack.ts), so that no
 * CloudFormation template nears the 500-resource limit as routes are added.
 */

/**
 * Which handler directories (`functions/<directory>/…`) belong to which area. An area's own name is
 * always accepted as a directory too (`functions/sign-in/…`, `functions/tenancy/…`), for the layout
 * where the directory is the area. A new area is one more line here; its nested stack appears with
 * its first route. Only routes have an area: the authorizers and the key function
 * (functions/keys/rotate-keys.ts) stay in the parent stack, next to the API and the keys.
 */
const AREA_DIRECTORIES = {
  sessions: ['sessions', 'me'],
  tenancy: ['accounts', 'organizations', 'groups', 'members', 'invitations', 'access-keys', 'events'],
  directory: ['systems', 'users', 'access'],
  'sign-in': ['authentication'],
  mfa: ['mfa'],
  platform: ['docs', 'keys'],
  email: [],
  oidc: [],
  console: [],
  passkeys: [],
} as const satisfies Record<string, readonly string[]>;

export type Area = keyof typeof AREA_DIRECTORIES;

export const AREAS = Object.keys(AREA_DIRECTORIES) as Area[];

const AREA_BY_DIRECTORY = new Map<string, Area>();
for (const area of AREAS) {
  for (const directory of [area, ...AREA_DIRECTORIES[area]]) {
    const claimed = AREA_BY_DIRECTORY.get(directory);
    if (claimed && claimed !== area) throw new Error(`functions/${directory}/ is in two areas: ${claimed} and ${area}`);
    AREA_BY_DIRECTORY.set(directory, area);
  }
}

/**
 * The area of a route, from its handler's directory (`functions/mfa/x.ts` → `mfa`). A handler
 * outside every area fails the synth: its nested stack would otherwise be a guess.
 */
export function areaOf(definition: { readonly id: string; readonly handler: string }): Area {
  const directory = /^functions\/([^/]+)\/./.exec(definition.handler)?.[1];
  const area = directory === undefined ? undefined : AREA_BY_DIRECTORY.get(directory);
  if (!area) {
    throw new Error(
      `Route ${definition.id}: handler ${definition.handler} is in no area (infra/areas.ts); put it under functions/<area>/ or add its directory to an area`,
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
