import { subscriptionFilterSchema, type SubscriptionFilter } from '../../../src-shared/schemas';
import { validate } from '../../../src-shared/validate';
import type { MessageMatch, MessageRecord } from '../store/port';

/** Validates a subscription filter and turns it into the storage port's match form. */
export function toMatch(filter: SubscriptionFilter | undefined): MessageMatch {
  const parsed = validate(subscriptionFilterSchema, filter, 'subscription filter');
  const match: MessageMatch = {};
  if (parsed?.types) match.types = [...new Set(parsed.types)];
  if (parsed?.priorities) match.priorities = [...new Set(parsed.priorities)];
  if (parsed?.senders) match.senders = [...new Set(parsed.senders)];
  if (parsed?.receivers) match.receivers = [...new Set(parsed.receivers)];
  if (parsed?.tags) match.tags = [...new Set(parsed.tags)];
  return match;
}

/** The same predicate the adapter applies in the database, for routing a claimed message in memory. */
export function matches(match: MessageMatch, m: MessageRecord): boolean {
  if (match.types && !match.types.includes(m.type)) return false;
  if (match.priorities && !match.priorities.includes(m.priority)) return false;
  if (match.senders && !match.senders.includes(m.sender)) return false;
  if (
    match.receivers &&
    m.receiver !== null &&
    !match.receivers.includes(m.receiver) &&
    !(m.receiverId !== null && match.receivers.includes(m.receiverId))
  ) {
    return false;
  }
  if (match.tags && !(m.tags ?? []).some((t) => match.tags!.includes(t))) return false;
  return true;
}
