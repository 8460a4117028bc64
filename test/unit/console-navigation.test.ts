/**
 * The console's links keep the selection in the URL (console/src/app/selection.ts), and its lists page
 * back and forth over the API's forward-only cursors (console/src/components/cursor-stack.ts).
 */
import { describe, expect, it } from 'vitest';
import { paths } from '../../console/src/app/selection.ts';
import { currentCursor, firstPage, nextPage, pageNumber, previousPage } from '../../console/src/components/cursor-stack.ts';

describe('paths', () => {
  it("builds the account's pages, carrying the selected organization as ?org=", () => {
    expect(paths.account('acc_1')).toBe('/accounts/acc_1');
    expect(paths.account('acc_1', 'org_2')).toBe('/accounts/acc_1?org=org_2');
    expect(paths.accountPage('acc_1', 'members')).toBe('/accounts/acc_1/members');
    expect(paths.accountPage('acc_1', 'audit', 'org_2')).toBe('/accounts/acc_1/audit?org=org_2');
    expect(paths.accountPage('acc_1', 'keys', 'a b&c')).toBe('/accounts/acc_1/keys?org=a%20b%26c');
  });

  it("builds an organization's pages with the organization in the path", () => {
    expect(paths.organization('acc_1', 'org_2')).toBe('/accounts/acc_1/organizations/org_2');
    expect(paths.organizationPage('acc_1', 'org_2', 'systems')).toBe('/accounts/acc_1/organizations/org_2/systems');
    expect(paths.organizationPage('acc_1', 'org_2', 'users')).toBe('/accounts/acc_1/organizations/org_2/users');
  });

  it('encodes the names operators and end users choose, so a slash or a question mark stays one segment', () => {
    expect(paths.system('acc_1', 'org_2', 'shop/eu?x')).toBe('/accounts/acc_1/organizations/org_2/systems/shop%2Feu%3Fx');
    expect(paths.endUser('acc_1', 'org_2', 'user#1')).toBe('/accounts/acc_1/organizations/org_2/users/user%231');
  });
});

describe('the cursor stack', () => {
  it('starts on page 1 with no cursor', () => {
    expect(currentCursor(firstPage)).toBeUndefined();
    expect(pageNumber(firstPage)).toBe(1);
  });

  it('goes forward with the nextCursor the API answered, and back to the cursors seen', () => {
    const third = nextPage(nextPage(firstPage, 'c2'), 'c3');
    expect([currentCursor(third), pageNumber(third)]).toEqual(['c3', 3]);
    const second = previousPage(third);
    expect([currentCursor(second), pageNumber(second)]).toEqual(['c2', 2]);
    const first = previousPage(second);
    expect([currentCursor(first), pageNumber(first)]).toEqual([undefined, 1]);
  });

  it('stays on the first page when asked for the one before it, and never changes a stack in place', () => {
    expect(previousPage(firstPage)).toBe(firstPage);
    const second = nextPage(firstPage, 'c2');
    expect(firstPage).toEqual([undefined]);
    nextPage(second, 'c3');
    expect(second).toEqual([undefined, 'c2']);
  });
});
