/**
 * A loopback HTTP server that speaks the Anthropic Messages API wire format, for tests that run
 * the real `@anthropic-ai/sdk` against it. POST /v1/messages answers from a queue of scripted
 * responses: a streamed (`stream: true`, text/event-stream) or plain JSON message with text and
 * tool_use blocks, an HTTP error (429 with retry-after, 529 overloaded_error …), a stream cut
 * mid-way (the socket is destroyed), or a request that never gets an answer. Every request is
 * recorded (method, path, headers, parsed body). POST /v1/messages/count_tokens answers an
 * estimate; other paths 404 (recorded, so a test sees what a client such as Claude Code asked).
 *
 * Event and field names follow the SDK's types (RawMessageStreamEvent in
 * node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts): message_start,
 * content_block_start, ping, content_block_delta (text_delta | input_json_delta),
 * content_block_stop, message_delta (stop_reason, usage), message_stop.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedBlock =
  | { type: 'text'; chunks: string[] }
  | {
      type: 'tool_use';
      id?: string;
      name: string;
      input: Record<string, unknown>;
      /** How many input_json_delta events the JSON is split into (default 3). */
      jsonChunks?: number;
    };

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
}

export type ScriptedResponse =
  | {
      kind: 'message';
      blocks: ScriptedBlock[];
      stopReason?: string;
      model?: string;
      usage?: ScriptedUsage;
      /** After this many deltas, wait for `until` before sending the rest. */
      hold?: { afterDeltas: number; until: Promise<unknown> };
    }
  | { kind: 'cut'; blocks: ScriptedBlock[]; afterDeltas: number }
  /** After `afterDeltas` deltas, an `event: error` (as the API sends when overloaded mid-stream). */
  | {
      kind: 'stream_error';
      blocks: ScriptedBlock[];
      afterDeltas: number;
      errorType: string;
      message: string;
    }
  | {
      kind: 'error';
      status: number;
      errorType: string;
      message: string;
      headers?: Record<string, string>;
    }
  | { kind: 'hang' }
  /** Built from the request (e.g. a Write tool call into the working directory it names). */
  | { kind: 'dynamic'; make: (body: Record<string, unknown>, raw: string) => ScriptedResponse };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  /** The credential sent: the x-api-key header, or the token of `Authorization: Bearer …` (SDK 1.x). */
  credential: string | null;
  /** Date.now() when the request body had arrived. */
  receivedAt: number;
  /** Settles when the server side of this exchange closed (answered, cut, or dropped by the client). */
  closed: Promise<void>;
}

export interface AnthropicLoopback {
  /** The base URL to give the SDK (`baseURL`), e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  enqueue(...responses: ScriptedResponse[]): void;
  /**
   * Responses for the requests whose body contains `marker` (e.g. a text only one agent's system
   * prompt carries), so several agents talking to one server each get their own script. Such a
   * request takes from its marker's queue; other requests from the shared one.
   */
  enqueueFor(marker: string, ...responses: ScriptedResponse[]): void;
  /** Scripted responses not used yet (all queues, or one marker's). */
  pending(marker?: string): number;
  close(): Promise<void>;
}

/** Builders for scripted responses. */
export const script = {
  text(
    chunks: string[],
    options: Partial<Extract<ScriptedResponse, { kind: 'message' }>> = {},
  ): ScriptedResponse {
    return { kind: 'message', blocks: [{ type: 'text', chunks }], ...options };
  },
  toolUse(
    calls: Array<{ name: string; input: Record<string, unknown>; id?: string }>,
    options: { text?: string[]; jsonChunks?: number } = {},
  ): ScriptedResponse {
    const blocks: ScriptedBlock[] = [];
    if (options.text) blocks.push({ type: 'text', chunks: options.text });
    for (const call of calls) {
      blocks.push({
        type: 'tool_use',
        ...call,
        ...(options.jsonChunks ? { jsonChunks: options.jsonChunks } : {}),
      });
    }
    return { kind: 'message', blocks, stopReason: 'tool_use' };
  },
  /** HTTP 429 rate_limit_error; `retryAfterSeconds` sets retry-after, `retryAfterMs` retry-after-ms. */
  rateLimited(
    options: { retryAfterSeconds?: number; retryAfterMs?: number } = {},
  ): ScriptedResponse {
    const headers: Record<string, string> = {};
    if (options.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(options.retryAfterSeconds);
    if (options.retryAfterMs !== undefined)
      headers['retry-after-ms'] = String(options.retryAfterMs);
    return {
      kind: 'error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'Number of request tokens has exceeded your per-minute rate limit',
      headers,
    };
  },
  /** HTTP 529 overloaded_error, as the API answers when it is overloaded. */
  overloaded(options: { retryAfterMs?: number } = {}): ScriptedResponse {
    const headers: Record<string, string> = {};
    if (options.retryAfterMs !== undefined)
      headers['retry-after-ms'] = String(options.retryAfterMs);
    return {
      kind: 'error',
      status: 529,
      errorType: 'overloaded_error',
      message: 'Overloaded',
      headers,
    };
  },
  error(
    status: number,
    errorType: string,
    message: string,
    headers?: Record<string, string>,
  ): ScriptedResponse {
    return { kind: 'error', status, errorType, message, ...(headers ? { headers } : {}) };
  },
  /** Streams `chunks` as text deltas but destroys the socket after `afterDeltas` of them. */
  cut(chunks: string[], afterDeltas: number): ScriptedResponse {
    return { kind: 'cut', blocks: [{ type: 'text', chunks }], afterDeltas };
  },
  /** Streams `chunks` but sends an `error` event after `afterDeltas` of them and ends the response. */
  streamError(
    chunks: string[],
    afterDeltas: number,
    errorType = 'overloaded_error',
    message = 'Overloaded',
  ): ScriptedResponse {
    return {
      kind: 'stream_error',
      blocks: [{ type: 'text', chunks }],
      afterDeltas,
      errorType,
      message,
    };
  },
  hang(): ScriptedResponse {
    return { kind: 'hang' };
  },
};

function splitInto(text: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, text.length));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function usageOf(usage: ScriptedUsage | undefined, blocks: ScriptedBlock[]): ScriptedUsage {
  if (usage) return usage;
  const deltas = blocks.reduce((n, b) => n + (b.type === 'text' ? b.chunks.length : 1), 0);
  return { input_tokens: 12, output_tokens: deltas };
}

function contentOf(block: ScriptedBlock, index: number): Record<string, unknown> {
  if (block.type === 'text') return { type: 'text', text: block.chunks.join(''), citations: null };
  return {
    type: 'tool_use',
    id: block.id ?? `toolu_loop_${index}`,
    name: block.name,
    input: block.input,
  };
}

function fullUsage(usage: ScriptedUsage): Record<string, unknown> {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: 'standard',
  };
}

/** The SSE events of one message, in the order the API sends them. `delta` marks content deltas. */
function streamEvents(
  id: string,
  model: string,
  blocks: ScriptedBlock[],
  stopReason: string,
  usage: ScriptedUsage,
): Array<{ event: string; data: Record<string, unknown>; delta: boolean }> {
  const events: Array<{ event: string; data: Record<string, unknown>; delta: boolean }> = [];
  const push = (event: string, data: Record<string, unknown>, delta = false): void => {
    events.push({ event, data: { type: event, ...data }, delta });
  };
  push('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: fullUsage({ input_tokens: usage.input_tokens, output_tokens: 1 }),
    },
  });
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      push('content_block_start', {
        index,
        content_block: { type: 'text', text: '', citations: null },
      });
      if (index === 0) push('ping', {});
      for (const text of block.chunks) {
        push('content_block_delta', { index, delta: { type: 'text_delta', text } }, true);
      }
    } else {
      const toolId = block.id ?? `toolu_loop_${index}`;
      push('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: toolId, name: block.name, input: {} },
      });
      for (const partial of splitInto(JSON.stringify(block.input), block.jsonChunks ?? 3)) {
        push(
          'content_block_delta',
          { index, delta: { type: 'input_json_delta', partial_json: partial } },
          true,
        );
      }
    }
    push('content_block_stop', { index });
  });
  push('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  push('message_stop', {});
  return events;
}

function credentialOf(headers: IncomingHttpHeaders): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || res.writableEnded) return resolve();
    res.write(chunk, () => resolve());
  });
}

export async function startAnthropicLoopback(): Promise<AnthropicLoopback> {
  const queue: ScriptedResponse[] = [];
  const byMarker = new Map<string, ScriptedResponse[]>();
  const requests: RecordedRequest[] = [];
  let counter = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    res.on('close', () => markClosed());
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        credential: credentialOf(req.headers),
        receivedAt: Date.now(),
        closed,
      });
      counter += 1;
      const mine = [...byMarker].find(([marker]) => raw.includes(marker))?.[1];
      void answer(res, counter, req.method ?? 'GET', path, req.headers, body, mine ?? queue);
    });
  });

  const sendError = (
    res: ServerResponse,
    requestId: string,
    status: number,
    errorType: string,
    message: string,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': requestId,
      ...headers,
    });
    res.end(
      JSON.stringify({ type: 'error', error: { type: errorType, message }, request_id: requestId }),
    );
  };

  async function answer(
    res: ServerResponse,
    n: number,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Record<string, unknown> | null,
    from: ScriptedResponse[],
  ): Promise<void> {
    const requestId = `req_loop_${n}`;
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      // Claude Code may size a conversation first; a rough count is enough for a test.
      const tokens = Math.ceil(JSON.stringify(body ?? {}).length / 4);
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
      res.end(JSON.stringify({ input_tokens: tokens }));
      return;
    }
    if (method !== 'POST' || path !== '/v1/messages') {
      return sendError(
        res,
        requestId,
        404,
        'not_found_error',
        `${method} ${path} is not served here`,
      );
    }
    if (credentialOf(headers) === null) {
      return sendError(
        res,
        requestId,
        401,
        'authentication_error',
        'x-api-key or Authorization header is required',
      );
    }
    if (body === null || typeof body.model !== 'string' || typeof body.max_tokens !== 'number') {
      return sendError(
        res,
        requestId,
        400,
        'invalid_request_error',
        'model and max_tokens are required',
      );
    }
    const next = from.shift();
    const scripted = next?.kind === 'dynamic' ? next.make(body, JSON.stringify(body)) : next;
    if (!scripted) {
      // x-should-retry: false keeps the SDK from retrying a test that ran out of script.
      return sendError(res, requestId, 500, 'api_error', 'loopback: no scripted response left', {
        'x-should-retry': 'false',
      });
    }
    if (scripted.kind === 'hang') return; // never answered; the client must give up (abort)
    if (scripted.kind === 'dynamic') {
      return sendError(
        res,
        requestId,
        500,
        'api_error',
        'loopback: a dynamic response made another',
      );
    }
    if (scripted.kind === 'error') {
      return sendError(
        res,
        requestId,
        scripted.status,
        scripted.errorType,
        scripted.message,
        scripted.headers,
      );
    }

    const model = scripted.kind === 'message' && scripted.model ? scripted.model : body.model;
    const stopReason =
      scripted.kind === 'message' ? (scripted.stopReason ?? 'end_turn') : 'end_turn';
    const usage = usageOf(
      scripted.kind === 'message' ? scripted.usage : undefined,
      scripted.blocks,
    );
    const messageId = `msg_loop_${n}`;

    if (body.stream !== true) {
      if (scripted.kind === 'cut') {
        res.socket?.destroy();
        return;
      }
      if (scripted.kind === 'stream_error') {
        return sendError(res, requestId, 529, scripted.errorType, scripted.message);
      }
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
      res.end(
        JSON.stringify({
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content: scripted.blocks.map(contentOf),
          stop_reason: stopReason,
          stop_sequence: null,
          usage: fullUsage(usage),
        }),
      );
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': requestId,
    });
    res.flushHeaders();
    let deltas = 0;
    for (const { event, data, delta } of streamEvents(
      messageId,
      model,
      scripted.blocks,
      stopReason,
      usage,
    )) {
      if (res.destroyed) return;
      await write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (!delta) continue;
      deltas += 1;
      if (scripted.kind === 'stream_error' && deltas >= scripted.afterDeltas) {
        const error = {
          type: 'error',
          error: { type: scripted.errorType, message: scripted.message },
        };
        await write(res, `event: error\ndata: ${JSON.stringify(error)}\n\n`);
        res.end();
        return;
      }
      if (scripted.kind === 'cut' && deltas >= scripted.afterDeltas) {
        res.socket?.destroy(); // no terminating chunk: the client sees the connection drop mid-stream
        return;
      }
      if (scripted.kind === 'message' && scripted.hold && deltas === scripted.hold.afterDeltas) {
        await scripted.hold.until;
      }
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => void queue.push(...responses),
    enqueueFor: (marker, ...responses) => {
      const list = byMarker.get(marker) ?? [];
      list.push(...responses);
      byMarker.set(marker, list);
    },
    pending: (marker) =>
      marker === undefined
        ? queue.length + [...byMarker.values()].reduce((n, l) => n + l.length, 0)
        : (byMarker.get(marker)?.length ?? 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
