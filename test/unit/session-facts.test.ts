import { describe, expect, it } from 'vitest';
import { ipPrefixOf, SESSION_USER_AGENT_MAX, sessionUserAgent } from '#shared/domain/sessions/session-facts.ts';

describe('session facts: what a session keeps of its login request', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['::1', '::/48'],
  ])('reduces %s to its network %s, never the full address', (address, prefix) => {
    expect(ipPrefixOf(address)).toBe(prefix);
  });

  it.each(['', 'not-an-ip', '256.1.1.1', '1.2.3', '1::2::3', '12345::1', undefined])('keeps no prefix for %s', (address) => {
    expect(ipPrefixOf(address)).toBeUndefined();
  });

  it('truncates the User-Agent and drops control characters', () => {
    expect(sessionUserAgent(`Mozilla/5.0\r\nX-Injected: 1 ${'a'.repeat(1000)}`)).toHaveLength(SESSION_USER_AGENT_MAX);
    expect(sessionUserAgent('curl/8.5.0\u0000\n')).toBe('curl/8.5.0');
    expect(sessionUserAgent('   ')).toBeUndefined();
    expect(sessionUserAgent(undefined)).toBeUndefined();
  });
});
