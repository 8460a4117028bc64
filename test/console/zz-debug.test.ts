import { it } from 'vitest';
import { newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createOrganization } from '#test/support/organizations.ts';
const { api, open } = useConsole();
it('debug', async () => {
  const account = await newAccount(api);
  const organization = await createOrganization(api, account.accountId, account.owner.accessToken);
  const { page, done } = await open('/login');
  page.on('console', (m) => { console.log('CONSOLE', m.type(), m.text()); });
  page.on('pageerror', (e) => { console.log('PAGEERROR', e.message); });
  await signInWithPassword(page, account.owner.email, account.owner.password);
  await page.goto(`/accounts/${account.accountId}/organizations/${organization.id}/systems`);
  await page.waitForTimeout(3000);
  console.log('URL', page.url());
  console.log(await page.locator('body').innerText());
  await page.screenshot({ path: '/tmp/dbg/systems.png', fullPage: true });
  await done();
});
