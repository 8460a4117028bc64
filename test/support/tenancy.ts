/**
 * Arrange helpers for tenancy tests: real accounts through the API, extra members written through the
 * real repository (the invitation flow has its own tests), tokens through the real login.
 */
import type { SuccessBody } from '#client/index.ts';
import { operatorStore } from '#shared/compose/shared.ts';
import type { Role, Scope } from '#shared/domain/kernel/model.ts';
import { hashPassword } from '#shared/domain/sessions/passwords.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import { signupBody, strongPassword, uniqueEmail } from './factories.ts';
import type { useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;

export interface TestOperator {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
}

export interface TestAccount {
  accountId: string;
  owner: TestOperator;
}

/** A new account through `POST /v2/signup`; its owner is signed in. */
export async function createAccount(api: Api): Promise<TestAccount> {
  const body = signupBody();
  const response = await api.request<Extract<SuccessBody<'/v2/signup', 'post'>, { accessToken: string }>>('POST', '/v2/signup', { body });
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    accountId: response.body.accountId,
    owner: { userId: response.body.userId, email: body.email, password: body.password, accessToken: response.body.accessToken },
  };
}

/** Signs an operator in through `POST /v2/auth/login`. */
export async function logIn(api: Api, email: string, password: string): Promise<string> {
  const response = await api.request<{ accessToken: string }>('POST', '/v2/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.accessToken;
}

/** A new operator who is a member of `accountId` with this role and scope, signed in. */
export async function addMember(api: Api, accountId: string, role: Role, scope: Scope = 'all'): Promise<TestOperator> {
  const email = uniqueEmail(role);
  const password = strongPassword();
  const now = new Date().toISOString();
  const userId = newId('usr');
  await operatorStore().createOperatorWithMembership({
    operator: { id: userId, email, passwordHash: await hashPassword(password), createdAt: now },
    membership: { accountId, userId, role, scope, createdAt: now },
  });
  return { userId, email, password, accessToken: await logIn(api, email, password) };
}
