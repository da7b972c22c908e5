import type { Message, MessageMetadata } from '../../../src-shared/types';
import type { MessageRecord } from '../store/port';

/** The public view of a stored message (content and metadata parsed back from JSON). */
export function toMessage(
  record: MessageRecord,
  parsed?: { content: unknown; metadata: MessageMetadata },
): Message {
  return {
    id: record.id,
    type: record.type,
    priority: record.priority,
    sender: record.sender,
    receiver: record.receiver,
    receiverId: record.receiverId,
    timestamp: record.timestamp,
    content: parsed ? parsed.content : (JSON.parse(record.content) as unknown),
    metadata: parsed ? parsed.metadata : (JSON.parse(record.metadata) as MessageMetadata),
    state: record.state,
    attempts: record.attempts,
    maxRetries: record.maxRetries,
    delivered: record.deliveredAt !== null,
    failed: record.state === 'dead',
    failureReason: record.failureReason,
    requiresResponse: record.requiresResponse,
    responseDeadline: record.responseDeadline,
    availableAt: record.availableAt,
    expiresAt: record.expiresAt,
    deliveredAt: record.deliveredAt,
    acknowledgedAt: record.acknowledgedAt,
  };
}
