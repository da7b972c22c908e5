/**
 * The publish hot path's validator. zod stays the definition (publishSchema) and produces every
 * error; this accepts only inputs it can prove the schema accepts, with the same output, and
 * answers `undefined` for anything else so the caller falls back to zod. Parsing with zod was
 * the largest piece of JavaScript per message. test/engine/publish-input.test.ts checks the two
 * agree on generated inputs.
 */
import { MESSAGE_TYPES, PRIORITIES } from '../../../src-shared/domain';
import type { ParsedPublish } from '../../../src-shared/schemas';

const TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES);
const NAME_MAX = 200;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const optionalString = (v: unknown, max: number) =>
  v === undefined || (typeof v === 'string' && v.length >= 1 && v.length <= max);

const intIn = (v: unknown, min: number, max: number) =>
  v === undefined || (Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max);

function priorityOf(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  if (v === 1 || v === 2 || v === 3 || v === 4) return v;
  if (typeof v === 'string' && Object.hasOwn(PRIORITIES, v))
    return PRIORITIES[v as keyof typeof PRIORITIES];
  return null;
}

function metadataOk(m: unknown): boolean {
  if (m === undefined) return true;
  if (!isPlainObject(m)) return false;
  const tags = m.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.length > 50) return false;
    for (const t of tags) if (typeof t !== 'string' || t.length < 1 || t.length > 100) return false;
  }
  return optionalString(m.correlationId, 200);
}

/** The parsed message when `input` is certainly valid; `undefined` means "ask zod". */
export function parsePublishFast(input: unknown): ParsedPublish | undefined {
  if (!isPlainObject(input)) return undefined;
  for (const key in input) {
    switch (key) {
      case 'id':
      case 'type':
      case 'priority':
      case 'sender':
      case 'receiver':
      case 'content':
      case 'metadata':
      case 'maxRetries':
      case 'requiresResponse':
      case 'responseDeadline':
      case 'delayMs':
      case 'ttlMs':
        continue;
      default:
        return undefined;
    }
  }
  const { type, sender, receiver, requiresResponse } = input;
  if (typeof type !== 'string' || !TYPES.has(type)) return undefined;
  if (typeof sender !== 'string' || sender.length === 0) return undefined;
  if (receiver !== null && !optionalString(receiver, NAME_MAX)) return undefined;
  if (!optionalString(input.id, 200)) return undefined;
  const priority = priorityOf(input.priority);
  if (priority === null) return undefined;
  if (requiresResponse !== undefined && typeof requiresResponse !== 'boolean') return undefined;
  if (!intIn(input.maxRetries, 0, 100)) return undefined;
  if (!intIn(input.responseDeadline, 1, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!intIn(input.delayMs, 0, 31_536_000_000)) return undefined;
  if (!intIn(input.ttlMs, 1, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!metadataOk(input.metadata)) return undefined;
  // Read only from here on: the caller's object serves as the parsed one unless a priority name needs its number.
  return (priority === input.priority ? input : { ...input, priority }) as ParsedPublish;
}
