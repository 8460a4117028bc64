/**
 * Bounded load on loopback: the local server (every manifest route, the real authorizers, DynamoDB
 * Local) under a couple of thousand mixed requests at concurrency 50, with plain fetch and a small
 * pool. Zero errors (every answer is the one expected: no 5xx, no unexpected 4xx), and afterwards the
 * books balance: challenges created = SMS in the outbox = `challenge.sent` audit events, every
 * challenge consumed exactly once. The figures are printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { localOutbox } from '#shared/compose/sign-in.ts';
import { challengeKey } from '#shared/data/keys.ts';
import { pool } from '#test/support/concurrency.ts';
import { uniqueEndUserEmail, uniquePhone, createSystem } from '#test/support/directory.ts';
import { createKey, rawItem } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const CONCURRENCY = 50;
const ORGANIZATIONS = 3;
/** End users per organization: each is created, granted access, and signs in once (PIN by SMS). */
const USERS_PER_ORG = 100;
/** Reads per end user: organization reads as the operator, key-authenticated user listings. */
const READS_PER_USER = 3;
const LOGINS = 10;

interface Figures {
  requests: number;
  errors: string[];
  byRoute: Map<string, number>;
}
const figures: Figures = { requests: 0, errors: [], byRoute: new Map() };
let durationMs = 0;

afterAll(() => {
  console.log(
    `load: ${figures.requests} requests at concurrency ${CONCURRENCY} in ${(durationMs / 1000).toFixed(1)} s ` +
      `(${Math.round(figures.requests / (durationMs / 1000))} req/s), ${figures.errors.length} errors; ` +
      [...figures.byRoute].map(([route, count]) => `${route} ${count}`).join(', '),
  );
});

/** One request; an answer other than `expected` is recorded as an error (with its body). */
async function call<T = Record<string, unknown>>(
  route: string,
  expected: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; apikey?: string } = {},
): Promise<T | undefined> {
  figures.requests += 1;
  figures.byRoute.set(route, (figures.byRoute.get(route) ?? 0) + 1);
  try {
    const response = await api.request<T>(method, path, {
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.apikey ? { headers: { apikey: options.apikey } } : {}),
    });
    if (response.status !== expected) {
      figures.errors.push(`${route}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      return undefined;
    }
    return response.body;
  } catch (error) {
    figures.errors.push(`${route}: ${String(error)}`);
    return undefined;
  }
}

const shuffle = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
};

describe('load on loopback', () => {
  it(`${ORGANIZATIONS * USERS_PER_ORG * (4 + READS_PER_USER) + LOGINS} mixed requests at concurrency ${CONCURRENCY}: 0 errors, and the counts agree`, async () => {
    // Arrange (not counted): an account, organizations with room for every SMS (the default limit, the
    // account's cap, holds the 300 sign-ins), systems, keys.
    const { accountId, owner } = await createAccount(api);
    const token = owner.accessToken;
    const orgs = await Promise.all(
      Array.from({ length: ORGANIZATIONS }, async () => {
        const organization = await createOrganization(api, accountId, token);
        const system = await createSystem(api, organization.id, token);
        const authenticate = await createKey(api, accountId, token, { permissions: ['authenticate'], organizations: [organization.id] });
        const manage = await createKey(api, accountId, token, { permissions: ['manage'], organizations: [organization.id] });
        return { id: organization.id, system: system.name, authenticateKey: authenticate.key, manageKey: manage.key };
      }),
    );
    const users = orgs.flatMap((org) => Array.from({ length: USERS_PER_ORG }, () => ({ org, email: uniqueEndUserEmail('load'), phone: uniquePhone(), id: '' })));
    const phones = new Set(users.map((user) => user.phone));
    expect(phones.size).toBe(users.length);

    const started = Date.now();
    // 1. The directory: create each end user (manage key), grant access (operator).
    await pool(
      shuffle(
        users.map((user) => async () => {
          const created = await call<{ id: string }>('createEndUser', 201, 'POST', `/v2/organizations/${user.org.id}/users`, {
            apikey: user.org.manageKey,
            body: { email: user.email, phone: user.phone },
          });
          user.id = created?.id ?? '';
          await call('grantAccess', 201, 'PUT', `/v2/organizations/${user.org.id}/systems/${user.org.system}/access/${user.id}`, { token });
        }),
      ),
      CONCURRENCY,
    );

    // 2. Sign-ins (start, PIN from the outbox, complete) mixed with reads and a few password logins.
    const challengeIds: string[] = [];
    const signIns = users.map((user) => async () => {
      const signIn = { email: user.email, system: user.org.system };
      const answer = await call<{ challengeId: string }>('startSignIn', 202, 'POST', '/v2/user/authenticate', { apikey: user.org.authenticateKey, body: signIn });
      if (!answer) return;
      challengeIds.push(answer.challengeId);
      const pin = /your code is (\d+)$/.exec(localOutbox().list(user.phone)[0]?.body ?? '')?.[1] ?? 'missing';
      await call('completeSignIn', 200, 'POST', '/v2/system/authenticate/user', { apikey: user.org.authenticateKey, body: { ...signIn, pin } });
    });
    const reads = users.flatMap((user) =>
      Array.from({ length: READS_PER_USER }, (_, i) =>
        i % 2 === 0
          ? () => call('getOrganization', 200, 'GET', `/v2/organizations/${user.org.id}`, { token })
          : () => call('listEndUsers', 200, 'GET', `/v2/organizations/${user.org.id}/users?limit=10`, { apikey: user.org.manageKey }),
      ),
    );
    const logins = Array.from({ length: LOGINS }, () => () => call('login', 200, 'POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } }));
    await pool(shuffle<() => Promise<unknown>>([...signIns, ...reads, ...logins]), CONCURRENCY);
    durationMs = Date.now() - started;

    expect(figures.errors).toEqual([]);
    expect(figures.requests).toBe(ORGANIZATIONS * USERS_PER_ORG * (4 + READS_PER_USER) + LOGINS);

    // The books: one challenge per start, one SMS per challenge, one `challenge.sent` per SMS.
    expect(new Set(challengeIds).size).toBe(users.length);
    const outbox = localOutbox()
      .list()
      .filter((sms) => phones.has(sms.to));
    expect(outbox).toHaveLength(users.length);
    const events = await eventsOf(accountId);
    const sent = events.filter((event) => event.type === 'challenge.sent');
    expect(sent).toHaveLength(users.length);
    expect(new Set(sent.map((event) => event.details.challengeId))).toEqual(new Set(challengeIds));
    expect(events.filter((event) => event.type === 'challenge.verified')).toHaveLength(users.length);
    const statuses = await Promise.all(challengeIds.map(async (id) => (await rawItem(challengeKey(id)))?.status));
    expect(statuses.every((status) => status === 'consumed')).toBe(true);
    // About 30 s alone on a 2-core machine; the ceiling leaves room for the rest of the suite running beside it.
  }, 180_000);
});
