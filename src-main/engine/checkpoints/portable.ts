/**
 * The portable checkpoint file: magic "ORCHCKPT", a big-endian uint32 header length, the header
 * (JSON: file format, API version, the checkpoint's metadata with its payload checksum), the
 * compressed payload, and a trailing sha256 of everything before it.
 */
import { API_VERSION } from '../../../src-shared/domain';
import { ValidationError } from '../../../src-shared/errors';
import type { CheckpointMeta } from '../store/port';
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from('ORCHCKPT');
export const FILE_FORMAT = 1;
const DIGEST = 32;

export interface FileHeader {
  fileFormat: number;
  apiVersion: string;
  exportedAt: number;
  checkpoint: CheckpointMeta;
}

export function writeFile(meta: CheckpointMeta, data: Buffer, now: number): Buffer {
  const header: FileHeader = {
    fileFormat: FILE_FORMAT,
    apiVersion: API_VERSION,
    exportedAt: now,
    checkpoint: meta,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const body = Buffer.concat([MAGIC, length, headerBytes, data]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function invalid(message: string): ValidationError {
  return new ValidationError('INVALID_FORMAT', `Not a valid checkpoint file: ${message}.`, 'file');
}

/** Structure and whole-file checksum; the payload itself is checked by codec.decode. */
export function readFile(file: Buffer): { header: FileHeader; data: Buffer } {
  if (file.length < MAGIC.length + 4 + DIGEST || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw invalid('it does not start with the checkpoint signature');
  }
  const body = file.subarray(0, file.length - DIGEST);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(file.subarray(file.length - DIGEST))
  ) {
    throw invalid('its sha256 checksum does not match (corrupt or modified)');
  }
  const headerLength = body.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + headerLength > body.length) throw invalid('its header is truncated');
  let header: FileHeader;
  try {
    header = JSON.parse(body.subarray(start, start + headerLength).toString('utf8')) as FileHeader;
  } catch {
    throw invalid('its header is not JSON');
  }
  if (header?.fileFormat !== FILE_FORMAT)
    throw invalid(`unknown file format ${String(header?.fileFormat)}`);
  const c = header.checkpoint as Partial<CheckpointMeta> | undefined;
  if (
    !c ||
    typeof c.id !== 'string' ||
    typeof c.name !== 'string' ||
    typeof c.checksum !== 'string' ||
    typeof c.codec !== 'string' ||
    typeof c.schemaVersion !== 'number' ||
    typeof c.createdAt !== 'number'
  ) {
    throw invalid('its header lacks the checkpoint metadata');
  }
  return { header, data: Buffer.from(body.subarray(start + headerLength)) };
}
