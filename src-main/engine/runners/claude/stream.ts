import type Anthropic from '@anthropic-ai/sdk';
import type {
  MessageCreateParamsNonStreaming,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import { OrchestrationError } from '../../../../src-shared/errors';
import { abortError, toClaudeError } from './errors';

export interface ClaudeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens?: number;
  cacheReadInputTokens?: number;
}

export interface ClaudeToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface StreamedMessage {
  id: string;
  model: string;
  /** All text deltas, concatenated in arrival order. */
  text: string;
  toolCalls: ClaudeToolCall[];
  stopReason: string | null;
  usage: ClaudeUsage;
}

export type StreamParams = Omit<MessageCreateParamsNonStreaming, 'stream'>;

export interface StreamOptions {
  signal?: AbortSignal | undefined;
  maxRetries: number;
  /** Called with each text delta, in order. */
  onText?: (delta: string) => void;
}

type OpenBlock =
  { kind: 'text' } | { kind: 'tool'; id: string; name: string; json: string } | { kind: 'other' };

/**
 * Sends one Messages API request with `stream: true` and folds the server-sent events into a
 * result. Fails with an OrchestrationError: before the stream starts as the SDK reported it (after
 * its retries), once it has started as SERVICE_UNAVAILABLE "stream interrupted" — also when the
 * stream ends without `message_stop`.
 */
export async function streamMessage(
  client: Anthropic,
  params: StreamParams,
  options: StreamOptions,
): Promise<StreamedMessage> {
  const { signal, maxRetries, onText } = options;
  const result: StreamedMessage = {
    id: '',
    model: params.model,
    text: '',
    toolCalls: [],
    stopReason: null,
    usage: { inputTokens: 0, outputTokens: 0 },
  };
  const fail = (error: unknown, midStream: boolean): OrchestrationError =>
    toClaudeError(error, { signal, midStream, receivedChars: result.text.length, maxRetries });

  let stream: AsyncIterable<RawMessageStreamEvent>;
  try {
    stream = await client.messages.create({ ...params, stream: true }, signal ? { signal } : {});
  } catch (error) {
    throw fail(error, false);
  }

  const blocks = new Map<number, OpenBlock>();
  let stopped = false;
  try {
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start': {
          result.id = event.message.id;
          result.model = event.message.model;
          foldUsage(result.usage, event.message.usage);
          break;
        }
        case 'content_block_start': {
          const block = event.content_block;
          if (block.type === 'text') {
            blocks.set(event.index, { kind: 'text' });
            if (block.text) addText(result, block.text, onText);
          } else if (block.type === 'tool_use') {
            blocks.set(event.index, { kind: 'tool', id: block.id, name: block.name, json: '' });
          } else {
            blocks.set(event.index, { kind: 'other' });
          }
          break;
        }
        case 'content_block_delta': {
          const open = blocks.get(event.index);
          if (event.delta.type === 'text_delta') addText(result, event.delta.text, onText);
          else if (event.delta.type === 'input_json_delta' && open?.kind === 'tool') {
            open.json += event.delta.partial_json;
          }
          break;
        }
        case 'content_block_stop': {
          const open = blocks.get(event.index);
          if (open?.kind === 'tool') {
            result.toolCalls.push({ id: open.id, name: open.name, input: parseToolInput(open) });
          }
          blocks.delete(event.index);
          break;
        }
        case 'message_delta': {
          result.stopReason = event.delta.stop_reason;
          foldUsage(result.usage, event.usage);
          break;
        }
        case 'message_stop': {
          stopped = true;
          break;
        }
      }
    }
  } catch (error) {
    throw fail(error, true);
  }
  // The SDK ends the iteration quietly when the request is aborted.
  if (signal?.aborted) throw abortError(signal, 'The Claude request');
  if (!stopped) {
    throw new OrchestrationError(
      'SERVICE_UNAVAILABLE',
      `The Claude response stream was interrupted after ${result.text.length} characters of text (it ended without message_stop)`,
      { details: { receivedChars: result.text.length, interrupted: true } },
    );
  }
  return result;
}

function addText(result: StreamedMessage, text: string, onText?: (delta: string) => void): void {
  result.text += text;
  onText?.(text);
}

function parseToolInput(block: { name: string; json: string }): unknown {
  if (block.json.trim() === '') return {};
  try {
    return JSON.parse(block.json) as unknown;
  } catch (error) {
    throw new OrchestrationError(
      'INVALID_FORMAT',
      `The model's input for tool "${block.name}" is not valid JSON`,
      { details: { tool: block.name, json: block.json.slice(0, 2_000) }, cause: error },
    );
  }
}

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** message_start carries input tokens; message_delta carries cumulative counts (output always). */
function foldUsage(usage: ClaudeUsage, wire: WireUsage | null | undefined): void {
  if (!wire) return;
  if (typeof wire.input_tokens === 'number') usage.inputTokens = wire.input_tokens;
  if (typeof wire.output_tokens === 'number') usage.outputTokens = wire.output_tokens;
  if (typeof wire.cache_creation_input_tokens === 'number') {
    usage.cacheCreationInputTokens = wire.cache_creation_input_tokens;
  }
  if (typeof wire.cache_read_input_tokens === 'number') {
    usage.cacheReadInputTokens = wire.cache_read_input_tokens;
  }
}
