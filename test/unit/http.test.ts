import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '#shared/config.ts';
import { AppError, ValidationError } from '#shared/domain/kernel/errors.ts';
import { redact } from '#shared/http/logger.ts';
import { problemResponse } from '#shared/http/problem.ts';
import { validatePart } from '#shared/http/validation.ts';

describe('problemResponse', () => {
  it('turns an unknown error into a generic 500 that says nothing internal', () => {
    const { result, expected } = problemResponse(new Error('connect ECONNREFUSED 10.0.0.1:5432 at Db.query (/var/task/index.mjs:1:1)'), 'req-1');
    expect(expected).toBe(false);
    expect(result.statusCode).toBe(500);
    expect(result.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    const body = String(result.body);
    expect(JSON.parse(body)).toEqual({
      type: 'https://portcullis.dev/problems/internal_error',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal_error',
      detail: 'Something went wrong on our side.',
      instance: 'req-1',
    });
    expect(body).not.toMatch(/ECONNREFUSED|index\.mjs|stack/);
  });

  it('answers DynamoDB throttling with 503 and Retry-After', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    const { result } = problemResponse(throttled, undefined);
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': '1' });
  });

  it('keeps the status, code and extensions of domain errors', () => {
    const { result, expected } = problemResponse(new ValidationError([{ field: 'body.email', message: 'is required' }]), 'r');
    expect(expected).toBe(true);
    expect(JSON.parse(String(result.body))).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'body.email' }] });
    expect(problemResponse(new AppError(418, 'teapot', 'Teapot'), 'r').result.statusCode).toBe(418);
  });
});

describe('validatePart', () => {
  const schema = z.strictObject({ name: z.string(), age: z.number().int().min(0), tags: z.array(z.string()).optional() });

  it('names nested fields by their path', () => {
    expect(() => validatePart(schema, { name: 'a', age: 1, tags: ['ok', 5] }, 'body')).toThrow(
      expect.objectContaining({ errors: [{ field: 'body.tags.1', message: 'must be a string' }] }) as Error,
    );
  });

  it('reports every problem, not just the first', () => {
    try {
      validatePart(schema, { age: -1, extra: 1 }, 'query');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).errors.map((issue) => issue.field).sort()).toEqual(['query.age', 'query.extra', 'query.name']);
    }
  });
});

describe('redact', () => {
  const line = (value: unknown) => JSON.stringify(value, redact);

  it('drops values under secret-sounding keys', () => {
    const logged = line({ password: 'hunter2-hunter2', refreshToken: 'prt_abc', pin: '123456', code: '654321', apikey: 'k', ok: 'fine' });
    for (const secret of ['hunter2', 'prt_abc', '123456', '654321']) expect(logged).not.toContain(secret);
    expect(logged).toContain('fine');
  });

  it('masks JWTs, prefixed secrets and phone numbers inside free text', () => {
    const logged = line({ message: 'sent to +447700900123 with eyJhbGciOi.eyJzdWIiOiJ4In0.c2lnbmF0dXJl and prt_0123456789abcdef0123' });
    expect(logged).not.toContain('+447700900123');
    expect(logged).toContain('23'); // last two digits stay, to tell messages apart
    expect(logged).not.toContain('eyJzdWIiOiJ4In0');
    expect(logged).not.toContain('prt_0123456789abcdef0123');
  });

  it('masks every kind of prefixed Portcullis secret, not only refresh tokens', () => {
    const secrets = ['pck_0123456789abcdef_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', 'pci_abcdefghijklmnopqrstuvwxyz0123456', 'pmt_abcdefghijklmnopqrstu', 'pme_abcdefghijklmnopqrstu'];
    const logged = line({ message: `a ${secrets.join(' b ')} c` });
    for (const secret of secrets) expect(logged).not.toContain(secret.slice(4));
  });
});

describe('loadConfig', () => {
  it('fails fast naming a missing variable', () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME/);
    expect(() => loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', KEY_PROVIDER: 'local' })).toThrow(/LOCAL_KEY_FILE/);
  });

  it("requires the deployment's SMS countries, and refuses a list that names no country or an unknown one", () => {
    expect(() => loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com' })).toThrow(/SMS_ALLOWED_COUNTRIES/);
    expect(() => loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com', SMS_ALLOWED_COUNTRIES: ' , ' })).toThrow(/SMS_ALLOWED_COUNTRIES must name at least one country/);
    expect(() => loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com', SMS_ALLOWED_COUNTRIES: 'FR,uk' })).toThrow(/SMS_ALLOWED_COUNTRIES: uk is not/);
    expect(loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com', SMS_ALLOWED_COUNTRIES: 'FR, DE,FR' }).limits).toEqual({
      smsAllowedCountries: ['FR', 'DE'],
      smsDeploymentDailyLimit: 10_000,
      smsAccountDailyLimit: 1_000,
      organizationsPerAccount: 1_000,
      emailDeploymentDailyLimit: 10_000,
      emailAccountDailyLimit: 1_000,
    });
    const tuned = loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com', SMS_ALLOWED_COUNTRIES: 'FR', SMS_DEPLOYMENT_DAILY_LIMIT: '2000000', SMS_ACCOUNT_DAILY_LIMIT: '50', ORGANIZATIONS_PER_ACCOUNT: '3' });
    expect(tuned.limits).toMatchObject({ smsDeploymentDailyLimit: 2_000_000, smsAccountDailyLimit: 50, organizationsPerAccount: 3 });
    expect(() => loadConfig({ TABLE_NAME: 't', API_BASE: 'https://auth.example.com', SMS_ALLOWED_COUNTRIES: 'FR', SMS_ACCOUNT_DAILY_LIMIT: '0' })).toThrow(/SMS_ACCOUNT_DAILY_LIMIT/);
  });

  it('fails fast without API_BASE (the organizations\' issuer base URL) in the cloud configuration', () => {
    expect(() => loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR' })).toThrow(/API_BASE/);
    expect(() => loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: '' })).toThrow(/API_BASE/);
    for (const bad of ['auth.example.com', 'ftp://auth.example.com', 'https://auth.example.com/?a=1', 'https://auth.example.com/#x', 'https://user@auth.example.com']) {
      expect(() => loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: bad }), bad).toThrow(/API_BASE/);
    }
    expect(loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://auth.example.com/' }).apiBase).toBe('https://auth.example.com');
    expect(loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://example.com/auth' }).apiBase).toBe('https://example.com/auth');
  });

  it('takes the local server URL as API_BASE when the keys are local, unless one is given', () => {
    const local = { TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', KEY_PROVIDER: 'local', LOCAL_KEY_FILE: 'k' };
    expect(loadConfig(local).apiBase).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ ...local, API_BASE: 'http://127.0.0.1:4321' }).apiBase).toBe('http://127.0.0.1:4321');
  });

  it('defaults to the cloud adapters (KMS, SNS)', () => {
    const config = loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://auth.example.com', SIGNING_KMS_KEY_ID: 'k1', SMS_SENDER_ID: 'Acme' });
    expect(config.keys).toEqual({ provider: 'kms', signingKmsKeyId: 'k1', dataKmsKeyId: '' });
    expect(config.sms).toEqual({ provider: 'sns', senderId: 'Acme', originationNumber: undefined });
  });
});
