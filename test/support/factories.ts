import { randomUUID } from 'node:crypto';

/** A unique operator email per call, so tests never collide in the shared table. */
export const uniqueEmail = (label = 'op'): string => `${label}-${randomUUID()}@example.test`;

/** A password that passes the length and common-password rules. */
export const strongPassword = (): string => `Pw-${randomUUID()}`;

export const signupBody = (overrides: Partial<{ email: string; password: string; accountName: string }> = {}) => ({
  email: uniqueEmail(),
  password: strongPassword(),
  accountName: `Account ${randomUUID().slice(0, 8)}`,
  ...overrides,
});
