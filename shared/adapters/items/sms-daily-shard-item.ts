/**
 * The SmsDailyShard item (and its e-mail twin, EmailDailyShard): one shard of a daily count of one
 * channel (an organization's, an account's or the deployment's), a `count` under the shard's cap and
 * a TTL a day past its day. Only ever written by conditional `ADD`s (sms-limit-repository.ts), never
 * read: the caps make a read-and-sum needless.
 */
import {
  emailAccountDailyShardKey,
  emailDailyShardKey,
  emailDeploymentDailyShardKey,
  smsAccountDailyShardKey,
  smsDailyShardKey,
  smsDeploymentDailyShardKey,
  type ItemKey,
} from '../../data/keys.ts';
import type { Channel, DailyCounter } from '../../domain/sign-in/sms-limits.ts';

export const ENTITY = 'SmsDailyShard';
export const EMAIL_ENTITY = 'EmailDailyShard';

export const entityOf = (channel: Channel) => (channel === 'email' ? EMAIL_ENTITY : ENTITY);

/** The item of one shard of a daily count (organization, account or deployment) of a channel. */
export function key(counter: DailyCounter, day: string, shard: number, channel: Channel = 'sms'): ItemKey {
  const email = channel === 'email';
  switch (counter.level) {
    case 'organization':
      return email ? emailDailyShardKey(counter.id, day, shard) : smsDailyShardKey(counter.id, day, shard);
    case 'account':
      return email ? emailAccountDailyShardKey(counter.id, day, shard) : smsAccountDailyShardKey(counter.id, day, shard);
    case 'deployment':
      return email ? emailDeploymentDailyShardKey(day, shard) : smsDeploymentDailyShardKey(day, shard);
  }
}
