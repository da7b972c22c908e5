/**
 * The checkpoint payload, checksummed as stored (sha256 of the compressed bytes, verified before
 * anything is decompressed).
 *
 * Format 2: a uint32 (big-endian) length, a JSON head with everything but the message rows
 * (sessions, workflows and runs as rows under a column list, the message columns and counts,
 * what extensions captured), then the message rows as the storage adapter packed them. The whole
 * is compressed in independent chunks, each stored as a uint32 length and its bytes, so the
 * chunks are (de)compressed in parallel on the thread pool.
 * Format 1 (still read): one compressed JSON document with every table's rows.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ValidationError } from '../../../src-shared/errors';
import type { CompressionSpec, SnapshotTables, TableRows } from '../store/port';

/** The checkpoint format this engine writes. */
export const CHECKPOINT_FORMAT = 2;
/** The formats this engine reads. */
const READS = [1, 2];

export type Codec = 'gzip' | 'brotli';
/**
 * brotli at quality 0: on a 100k-message checkpoint it compresses about 1.8× faster than gzip
 * level 1 and decompresses about as fast, to a similar size (measured). Its window is 512 KB
 * (lgwin 19) rather than 4 MB: the fast encoder then works in blocks whose hash table stays in
 * a core's cache — 16.6 MB in two chunks took 21–22 ms instead of 25–26 (medians of 11, three
 * runs), for 1.3 % more bytes.
 */
export const DEFAULT_CODEC: Codec = 'brotli';
/** Chunks (de)compressed independently: several per big checkpoint, each large enough to compress well. */
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Below this a piece is one chunk: splitting it would save less than a millisecond. */
const SPLIT_FROM = 1024 * 1024;
/**
 * How many chunks (de)compress at once: the cores the thread pool can use. A piece splits into
 * a multiple of it, in equal parts, and no more run at once: on two cores a 19 MB image took
 * 30 ms as two equal chunks, 30 ms as 8 + 8 + 3 MB and 37 ms as four at once (medians of 15).
 */
const PARALLEL = Math.max(
  1,
  Math.min(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4),
);

const gunzipAsync = promisify(zlib.gunzip);
const unbrotliAsync = promisify(zlib.brotliDecompress);
const compressors = {
  brotliCompress: promisify(zlib.brotliCompress),
  gzip: promisify(zlib.gzip),
};

/** How `codec` compresses, in the form a storage adapter can apply off the event loop too. */
export function compressionSpec(codec: Codec): CompressionSpec {
  const chunking = { maxChunkBytes: CHUNK_BYTES, splitFromBytes: SPLIT_FROM, parallel: PARALLEL };
  return codec === 'brotli'
    ? {
        codec,
        method: 'brotliCompress',
        options: {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: 0,
            [zlib.constants.BROTLI_PARAM_LGWIN]: 19,
          },
        },
        sizeHintParam: zlib.constants.BROTLI_PARAM_SIZE_HINT,
        ...chunking,
      }
    : { codec, method: 'gzip', options: { level: 1 }, ...chunking };
}

export interface Payload extends SnapshotTables {
  format: number;
  createdAt: number;
  /** What each checkpoint extension captured, by extension name (types.ts CheckpointExtension). */
  extensions?: Record<string, unknown>;
}

export interface Encoded {
  data: Buffer;
  rawSizeBytes: number;
  checksum: string;
  codec: Codec;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const TABLES = ['sessions', 'workflows', 'runs', 'messages'] as const;

/**
 * The payload as format 2's uncompressed pieces: head length and JSON head, then the packed
 * message rows unless they come compressed already.
 */
function serialise(payload: Payload): Buffer[] {
  const { packed, compressed, ...messages } = payload.messages;
  const head = Buffer.from(
    JSON.stringify({
      format: CHECKPOINT_FORMAT,
      createdAt: payload.createdAt,
      dbSchemaVersion: payload.dbSchemaVersion,
      maxMessageSeq: payload.maxMessageSeq,
      ...(payload.extensions && { extensions: payload.extensions }),
      sessions: payload.sessions,
      workflows: payload.workflows,
      runs: payload.runs,
      messages: { ...messages, packedBytes: compressed?.bytes ?? byteLength(packed ?? []) },
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return [Buffer.concat([length, head]), ...(compressed ? [] : (packed ?? []))];
}

/**
 * zlib's asynchronous calls hand their output back in `chunkSize` pieces (16 KB by default):
 * thousands of round trips through JavaScript per megabytes-long chunk. One piece per chunk,
 * sized to what it will likely hold (V8 counts the whole buffer against its heap, so a fixed
 * 16 MB for a few kilobytes would bring garbage collections forward). Compressed output is
 * smaller than its input; decompressed output is taken as up to 8× the input (images compress
 * about 6×), and a larger one comes in more pieces.
 */
const outputFor = (bytes: number) => ({
  chunkSize: Math.min(CHUNK_BYTES, Math.max(64 * 1024, bytes)),
});

function compressChunk(chunk: Buffer, spec: CompressionSpec): Promise<Buffer> {
  const options: zlib.ZlibOptions & zlib.BrotliOptions = {
    ...spec.options,
    ...outputFor(chunk.length),
  };
  if (spec.sizeHintParam !== undefined) {
    options.params = { ...spec.options.params, [spec.sizeHintParam]: chunk.length };
  }
  return compressors[spec.method](chunk, options);
}

export async function encode(payload: Payload, codec: Codec = DEFAULT_CODEC): Promise<Encoded> {
  const spec = compressionSpec(codec);
  // Chunks are views of the pieces (an image of tens of MB is not copied once more).
  const chunks: Buffer[] = [];
  let rawSizeBytes = 0;
  for (const piece of serialise(payload)) {
    rawSizeBytes += piece.length;
    chunks.push(...split(piece));
  }
  const ready = payload.messages.compressed;
  if (ready && ready.codec !== codec) {
    throw new Error(`messages compressed with ${ready.codec}, not ${codec}`);
  }
  const compressed = [
    ...(await eachAtOnce(chunks, (c) => compressChunk(c, spec))),
    ...(ready?.chunks ?? []),
  ];
  rawSizeBytes += ready?.bytes ?? 0;
  const data = Buffer.concat(
    compressed.flatMap((c) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(c.length);
      return [length, c];
    }),
  );
  return { data, rawSizeBytes, checksum: sha256(data), codec };
}

/** `piece` as views of equal chunks of at most CHUNK_BYTES, a multiple of PARALLEL of them. */
function split(piece: Buffer): Buffer[] {
  if (piece.length < SPLIT_FROM) return [piece];
  const count = Math.ceil(piece.length / CHUNK_BYTES / PARALLEL) * PARALLEL;
  const size = Math.ceil(piece.length / count);
  const chunks: Buffer[] = [];
  for (let at = 0; at < piece.length; at += size) {
    chunks.push(piece.subarray(at, Math.min(piece.length, at + size)));
  }
  return chunks;
}

/** fn over every item, PARALLEL at a time, results in order. */
async function eachAtOnce<T>(
  items: readonly Buffer[],
  fn: (item: Buffer) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
  return out;
}

function invalid(message: string, field = 'checkpoint'): ValidationError {
  return new ValidationError('INVALID_FORMAT', message, field);
}

/** Checksum, decompression, JSON and shape: any failure is INVALID_FORMAT. */
export async function decode(
  data: Buffer,
  expected: { checksum: string; codec: string; schemaVersion: number },
  maxDbSchema: number,
): Promise<Payload> {
  if (sha256(data) !== expected.checksum) {
    throw invalid(
      'The checkpoint is corrupt or was tampered with: its sha256 checksum does not match.',
    );
  }
  if (!READS.includes(expected.schemaVersion)) {
    throw invalid(
      `Unknown checkpoint format ${expected.schemaVersion}; this engine reads formats ${READS.join(' and ')}.`,
      'schemaVersion',
    );
  }
  const decompress = (chunk: Buffer): Promise<Buffer> => {
    const output = outputFor(chunk.length * 8);
    if (expected.codec === 'gzip') return gunzipAsync(chunk, output);
    if (expected.codec === 'brotli') return unbrotliAsync(chunk, output);
    return Promise.reject(new Error(`unknown codec "${expected.codec}"`));
  };
  let raw: Buffer[];
  try {
    raw =
      expected.schemaVersion === 1
        ? [await decompress(data)]
        : await eachAtOnce(chunksOf(data), decompress);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw invalid(`The checkpoint cannot be decompressed: ${(error as Error).message}`);
  }
  return expected.schemaVersion === 1
    ? fromJson(raw[0]!, maxDbSchema)
    : deserialise(raw, maxDbSchema);
}

const byteLength = (parts: readonly Buffer[]) => parts.reduce((n, p) => n + p.length, 0);

/** The bytes [from, to) of the concatenated parts, as views of them where they lie in one part. */
function slice(parts: readonly Buffer[], from: number, to = Infinity): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const part of parts) {
    const start = Math.max(from - at, 0);
    const end = Math.min(to - at, part.length);
    if (start < end) out.push(part.subarray(start, end));
    at += part.length;
  }
  return out;
}

const MESSAGE_STATES = ['pending', 'leased', 'acknowledged', 'dead'];

/** Format 2's framing: uint32 length + compressed bytes, to the end. */
function chunksOf(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    if (at + 4 > data.length) throw invalid('The checkpoint data is truncated.');
    const length = data.readUInt32BE(at);
    if (at + 4 + length > data.length) throw invalid('The checkpoint data is truncated.');
    chunks.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return chunks;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`The checkpoint is not valid JSON: ${(error as Error).message}`);
  }
}

function fromJson(raw: Buffer, maxDbSchema: number): Payload {
  return checkShape(parse(raw.toString('utf8')), 1, maxDbSchema);
}

/** Format 2's decompressed chunks: the head (length and JSON), then the packed rows. */
function deserialise(raw: readonly Buffer[], maxDbSchema: number): Payload {
  const total = byteLength(raw);
  const headLength = total >= 4 ? Buffer.concat(slice(raw, 0, 4)).readUInt32BE(0) : Infinity;
  if (4 + headLength > total) throw invalid('The checkpoint data is truncated.');
  const headText = Buffer.concat(slice(raw, 4, 4 + headLength)).toString('utf8');
  const payload = checkShape(parse(headText) as Partial<Payload>, 2, maxDbSchema);
  const messages = payload.messages as TableRows & { packedBytes?: unknown };
  const packed = slice(raw, 4 + headLength);
  if (messages.packedBytes !== byteLength(packed) || messages.rows.length > 0) {
    throw invalid("The checkpoint's message rows do not match its head.", 'messages');
  }
  const states = Object.entries(messages.states ?? {});
  if (
    states.some(([k, n]) => !MESSAGE_STATES.includes(k) || !Number.isInteger(n) || n < 0) ||
    (messages.firstSeq !== undefined && !Number.isInteger(messages.firstSeq))
  ) {
    throw invalid("The checkpoint's message counts are malformed.", 'messages');
  }
  delete messages.packedBytes;
  if (packed.length > 0) messages.packed = packed;
  return payload;
}

function isTable(t: unknown): t is TableRows {
  if (!t || typeof t !== 'object') return false;
  const { columns, rows } = t as TableRows;
  return (
    Array.isArray(columns) &&
    columns.every((c) => typeof c === 'string' && /^[a-z_]+$/.test(c)) &&
    Array.isArray(rows) &&
    rows.every((r) => Array.isArray(r) && r.length === columns.length)
  );
}

function checkShape(value: unknown, format: number, maxDbSchema: number): Payload {
  const p = value as Partial<Payload> | null;
  if (!p || typeof p !== 'object' || p.format !== format) {
    throw invalid(`The checkpoint payload is not format ${format}.`, 'format');
  }
  if (
    !Number.isInteger(p.dbSchemaVersion) ||
    p.dbSchemaVersion! < 1 ||
    p.dbSchemaVersion! > maxDbSchema
  ) {
    throw invalid(
      `The checkpoint was taken with database schema ${String(p.dbSchemaVersion)}; this engine knows 1–${maxDbSchema}.`,
      'dbSchemaVersion',
    );
  }
  if (!Number.isInteger(p.maxMessageSeq) || typeof p.createdAt !== 'number') {
    throw invalid('The checkpoint payload lacks maxMessageSeq or createdAt.');
  }
  for (const t of TABLES) {
    if (!isTable(p[t])) throw invalid(`The checkpoint's ${t} table is malformed.`, t);
  }
  if (p.extensions !== undefined && (!p.extensions || typeof p.extensions !== 'object')) {
    throw invalid("The checkpoint's extensions are malformed.", 'extensions');
  }
  return p as Payload;
}

/** Row i of a table as an object keyed by column. */
export function rowObjects(t: TableRows): Record<string, unknown>[] {
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c, row[i]])));
}

export function summarize(p: SnapshotTables): Record<string, number> {
  const state = p.messages.columns.indexOf('state');
  const out: Record<string, number> = {
    sessions: p.sessions.rows.length,
    workflows: p.workflows.rows.length,
    runs: p.runs.rows.length,
    messages: p.messages.rows.length,
    pending: 0,
    leased: 0,
    dead: 0,
  };
  if (p.messages.states) {
    const states = p.messages.states;
    Object.assign(out, states);
    out.messages = Object.values(states).reduce((a, b) => a + b, 0);
    return out;
  }
  for (const row of p.messages.rows)
    out[row[state] as string] = (out[row[state] as string] ?? 0) + 1;
  return out;
}
