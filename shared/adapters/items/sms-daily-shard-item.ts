/**
 * The SmsDailyShard item: one shard of a daily SMS count (an organization's, an account's or the
 * deployment's), a `count` under the shard's cap and a TTL a day past its day. Only ever written by
 * conditional `ADD`s (sms-limit-repository.ts), never read: the caps make a read-and-sum needless.
 */
import { smsAccountDailyShardKey, smsDailyShardKey, smsDeploymentDailyShardKey, type ItemKey } from '../../data/keys.ts';
import type { DailyCounter } from '../../domain/sign-in/sms-limits.ts';

export const ENTITY = 'SmsDailyShard';

/** The item of one shard of a daily count (organization, account or deployment). */
export function key(counter: DailyCounter, day: string, shard: number): ItemKey {
  switch (counter.level) {
    case 'organization':
      return smsDailyShardKey(counter.id, day, shard);
    case 'account':
      return smsAccountDailyShardKey(counter.id, day, shard);
    case 'deployment':
      return smsDeploymentDailyShardKey(day, shard);
  }
}
