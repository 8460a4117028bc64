/**
 * Business metrics as a deployment records them: the real handlers, through the local server, write
 * CloudWatch EMF lines to stdout (what Lambda ships to CloudWatch Logs), one per invocation that
 * counted something. Checked: namespace, dimensions and values the alarms rely on, and that no line
 * carries a PIN, a phone number, an email, an id or a credential.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics-names.ts';
import { strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addUser, completeSignIn, lastPin, signInFixture, startSignIn, wrongPin } from '#test/support/sign-in.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';

// Before any module loads: the local environment turns metrics off (they would clutter `npm start`);
// this file turns them on to see exactly what a deployed function writes.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const api = useLocalApi();

const writes: string[] = [];
beforeAll(() => {
  // Recorded and passed on, so the suite-wide secret scan (test/support/log-capture.ts) reads these lines too.
  const passOn = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return passOn(chunk, ...rest);
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

/** Everything written to stdout since the recording started, one entry per write. */
function written(): string[] {
  return writes;
}

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF lines written since `from` (an index into `written`). */
function emfLines(from = 0): { raw: string; emf: EmfLine }[] {
  return written()
    .slice(from)
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((raw) => ({ raw, emf: JSON.parse(raw) as EmfLine }));
}

/** Sum of each metric over EMF lines (Powertools writes a value array when a name is counted twice in one invocation). */
function totals(lines: { emf: EmfLine }[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const { emf } of lines) {
    for (const { Name } of emf._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics)) {
      const value = emf[Name];
      const values = Array.isArray(value) ? (value as number[]) : [value as number];
      sums[Name] = (sums[Name] ?? 0) + values.reduce((a, b) => a + b, 0);
    }
  }
  return sums;
}

/** Runs `act` and answers the metric totals of the EMF lines it caused. */
async function metricsOf(act: () => Promise<void>): Promise<{ totals: Record<string, number>; lines: { raw: string; emf: EmfLine }[] }> {
  const from = written().length;
  await act();
  const lines = emfLines(from);
  return { totals: totals(lines), lines };
}

const secretsSeen: string[] = [];

describe('business metrics (CloudWatch EMF through Powertools)', () => {
  it('counts a PIN sign-in started, SMS sent and verified; a reused PIN failed; wrong PINs failed up to a challenge lockout', async () => {
    const fixture = await signInFixture(api, { policy: { factors: ['pin'], pin: { length: 6, ttlSeconds: 300, maxAttempts: 3 } } });
    const { apikey, system, user } = fixture;
    secretsSeen.push(apikey, user.email, user.phone, user.id, fixture.orgId, fixture.account.accountId);

    // A sign-in, start to finish, and the same PIN once more.
    let pin = '';
    const signIn = await metricsOf(async () => {
      expect((await startSignIn(api, apikey, { email: user.email, system: system.name })).status).toBe(202);
      pin = await lastPin(api, user.phone);
      secretsSeen.push(pin);
      const completed = await completeSignIn(api, apikey, { email: user.email, system: system.name, pin });
      expect(completed.status).toBe(200);
      expect(completed.body.authenticated).toBe(true);
      secretsSeen.push(completed.body.token ?? '');
      const reused = await completeSignIn(api, apikey, { email: user.email, system: system.name, pin });
      expect(reused.status).toBe(401);
      expect(reused.body.code).toBe('expired');
    });
    expect(signIn.totals).toEqual({
      [METRIC_NAMES.signInsStarted]: 1,
      [METRIC_NAMES.smsSent]: 1,
      [METRIC_NAMES.signInsVerified]: 1,
      [METRIC_NAMES.signInsFailed]: 1,
    });
    // One line per invocation that counted: the start (started + SMS), the complete, the refused replay.
    expect(signIn.lines).toHaveLength(3);

    // Another user: three wrong PINs against maxAttempts 3. The third locks the challenge.
    const other = await addUser(api, fixture);
    secretsSeen.push(other.email, other.phone, other.id);
    const lockout = await metricsOf(async () => {
      expect((await startSignIn(api, apikey, { email: other.email, system: system.name })).status).toBe(202);
      const otherPin = await lastPin(api, other.phone);
      secretsSeen.push(otherPin, wrongPin(otherPin));
      const codes: unknown[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        codes.push((await completeSignIn(api, apikey, { email: other.email, system: system.name, pin: wrongPin(otherPin) })).body.code);
      }
      expect(codes).toEqual(['invalid_credentials', 'invalid_credentials', 'too_many_attempts']);
      // Locked: even the right PIN is refused now, and that is one more failure, not a second lockout.
      const locked = await completeSignIn(api, apikey, { email: other.email, system: system.name, pin: otherPin });
      expect(locked.body.code).toBe('too_many_attempts');
    });
    expect(lockout.totals).toEqual({
      [METRIC_NAMES.signInsStarted]: 1,
      [METRIC_NAMES.smsSent]: 1,
      [METRIC_NAMES.signInsFailed]: 4,
      [METRIC_NAMES.lockouts]: 1,
    });

    // An unknown email gets the same 202 (no enumeration): a sign-in started, no SMS.
    const unknown = uniqueEmail('nobody');
    secretsSeen.push(unknown);
    const decoy = await metricsOf(async () => {
      expect((await startSignIn(api, apikey, { email: unknown, system: system.name })).status).toBe(202);
    });
    expect(decoy.totals).toEqual({ [METRIC_NAMES.signInsStarted]: 1 });
  });

  it('counts an operator lockout when the login throttle refuses an email, and when a TOTP factor locks', async () => {
    // Ten wrong passwords in 15 minutes are allowed; the eleventh attempt is refused before any check.
    // An attacker hammering on is refused again and again: still one locked email, one lockout.
    const email = uniqueEmail('throttled');
    const password = strongPassword();
    secretsSeen.push(email, password);
    const throttled = await metricsOf(async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 14; attempt++) {
        statuses.push((await api.request('POST', '/v2/auth/login', { body: { email, password } })).status);
      }
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429, 429, 429]);
    });
    expect(throttled.totals).toEqual({ [METRIC_NAMES.lockouts]: 1 });

    // Five wrong TOTP codes in the login's second step lock the factor: one lockout.
    const { owner } = await createAccount(api);
    secretsSeen.push(owner.email, owner.password, owner.accessToken, owner.userId);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    secretsSeen.push(enrolled.secret, ...enrolled.recoveryCodes);
    const login = await api.request<{ mfaToken: string }>('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } });
    const mfaToken = login.body.mfaToken;
    secretsSeen.push(mfaToken);
    const valid = new Set([-1, 0, 1, 2].map((steps) => codeInSteps(enrolled.secret, steps)));
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666'].filter((code) => !valid.has(code)).slice(0, 5);
    const totpLock = await metricsOf(async () => {
      const codes: unknown[] = [];
      for (const code of wrong) codes.push((await api.request('POST', '/v2/auth/mfa', { body: { mfaToken, code } })).body.code);
      codes.push((await api.request('POST', '/v2/auth/mfa', { body: { mfaToken, code: codeInSteps(enrolled.secret, 0) } })).body.code);
      expect(codes).toEqual([...Array<string>(5).fill('invalid_code'), 'too_many_attempts']);
    });
    expect(totpLock.totals).toEqual({ [METRIC_NAMES.lockouts]: 1 });
  });

  it('writes every metric in the Portcullis namespace with exactly the service and stage dimensions, and nothing else', () => {
    const lines = emfLines();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const names = new Set<string>(Object.values(METRIC_NAMES));
    for (const { emf } of lines) {
      const [directive, ...more] = emf._aws.CloudWatchMetrics;
      expect(more).toEqual([]);
      expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive?.Dimensions).toEqual([['service', 'stage']]);
      for (const metric of directive?.Metrics ?? []) {
        expect(names.has(metric.Name)).toBe(true);
        expect(metric.Unit).toBe('Count');
      }
      // No metadata: the line holds the directive, the two dimension values and the counts, nothing more.
      const { _aws, service, stage, ...counts } = emf;
      expect(_aws.Timestamp).toEqual(expect.any(Number));
      expect({ service, stage }).toEqual({ service: METRICS_SERVICE, stage: 'test' });
      expect(Object.keys(counts).sort()).toEqual((directive?.Metrics ?? []).map((metric) => metric.Name).sort());
    }
  });

  it('never writes a PIN, phone number, email, id, key or token into a metric line', () => {
    const raw = emfLines()
      .map((line) => line.raw)
      .join('\n');
    expect(raw).not.toBe('');
    expect(secretsSeen.length).toBeGreaterThan(10);
    for (const secret of secretsSeen.filter((value) => value.length >= 6)) expect(raw).not.toContain(secret);
    // Nor anything shaped like one: no `+` followed by digits, no run of six digits (only epoch milliseconds, 13 digits).
    expect(raw).not.toMatch(/\+\d{6,}/);
    expect(raw.replace(/"Timestamp":\d{13}/g, '')).not.toMatch(/\d{6}/);
  });
});
