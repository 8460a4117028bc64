/**
 * How the console turns the API's errors into what the operator reads (console/src/api/problem.ts):
 * the problem's `detail` (else its title, else API Gateway's `message`), and each 400 field message
 * keyed by the form field it names.
 */
import { describe, expect, it } from 'vitest';
import { ApiCallError, fieldErrors, problemMessage, unwrap } from '../../console/src/api/problem.ts';
import type { Problem } from '#client/index.ts';

const validation = {
  type: 'about:blank',
  title: 'Bad Request',
  status: 400,
  code: 'validation_failed',
  detail: 'The request is invalid.',
  errors: [
    { field: 'body.email', message: 'Must be an e-mail address' },
    { field: 'body.email', message: 'Second message for the same field' },
    { field: 'body.policy.factors.0', message: 'Unknown factor' },
    { field: 'params.systemName', message: 'Too long' },
    { field: 'query.limit', message: 'At most 100' },
    { field: 'headers.x-request-id', message: 'Not a UUID' },
    { field: 'name', message: 'Required' },
  ],
} as unknown as Problem;

describe('problemMessage', () => {
  it("shows the problem's detail, else its title", () => {
    expect(problemMessage(validation)).toBe('The request is invalid.');
    expect(problemMessage({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'forbidden' })).toBe('Forbidden');
  });

  it("shows API Gateway's bare message, and a generic sentence when there is no body", () => {
    expect(problemMessage({ message: 'Too Many Requests' })).toBe('Too Many Requests');
    expect(problemMessage(undefined)).toBe('Something went wrong. Try again.');
  });
});

describe('fieldErrors', () => {
  it('keys each message by the form field, without the body/params/query/headers prefix; the first message of a field wins', () => {
    expect(fieldErrors(validation)).toEqual({
      email: 'Must be an e-mail address',
      'policy.factors.0': 'Unknown factor',
      systemName: 'Too long',
      limit: 'At most 100',
      'x-request-id': 'Not a UUID',
      name: 'Required',
    });
  });

  it('is empty for a problem without field errors, a gateway error or nothing', () => {
    expect(fieldErrors({ ...validation, errors: undefined })).toEqual({});
    expect(fieldErrors({ message: 'Unauthorized' })).toEqual({});
    expect(fieldErrors(undefined)).toEqual({});
  });
});

describe('unwrap', () => {
  const answer = <T>(status: number, body: { data?: T; error?: Problem }) =>
    Promise.resolve({ ...body, response: new Response(null, { status }) });

  it('answers the data of a 2xx, and undefined for a 204', async () => {
    await expect(unwrap(answer(200, { data: { id: 'org_1' } }))).resolves.toEqual({ id: 'org_1' });
    await expect(unwrap(answer(204, {}))).resolves.toBeUndefined();
  });

  it('throws an ApiCallError carrying the problem, the status and the message to show', async () => {
    const error = await unwrap(answer(400, { error: validation })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ name: 'ApiCallError', status: 400, problem: validation, message: 'The request is invalid.' });
  });

  it('throws on a non-2xx even when the client parsed no error body', async () => {
    await expect(unwrap(answer(502, {}))).rejects.toMatchObject({ status: 502, problem: undefined, message: 'Something went wrong. Try again.' });
  });
});
