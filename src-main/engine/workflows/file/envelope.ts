/**
 * The part of a file read before anything else: is it an object, is `format` ours, and is
 * `version` one this app reads. Failures here are INVALID_FORMAT.
 */
import { API_VERSION } from '../../../../src-shared/domain';
import { OLDEST_VERSION } from './migrations';
import type { FileProblem } from './problems';
import { FILE_FORMAT, FILE_VERSION } from './schema';

export type Envelope =
  | { doc: Record<string, unknown>; version: number }
  | { problem: FileProblem; details?: Record<string, unknown> };

export function readEnvelope(value: unknown): Envelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      problem: {
        path: '',
        rule: 'not-object',
        message: `a workflow file is a JSON object, not ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}`,
      },
    };
  }
  const doc = value as Record<string, unknown>;
  if (doc.format !== FILE_FORMAT) {
    const bare = doc.format === undefined && Array.isArray(doc.sessions);
    return {
      problem: {
        path: '/format',
        rule: 'format',
        message: bare
          ? `"format" is missing: this looks like a bare workflow definition, not an exported file (export it from the app, or add "format": "${FILE_FORMAT}", "version": ${FILE_VERSION} and "apiVersion")`
          : `"format" must be "${FILE_FORMAT}"${doc.format === undefined ? '' : `, not ${JSON.stringify(doc.format)}`}`,
      },
    };
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return {
      problem: {
        path: '/version',
        rule: 'version',
        message: `"version" must be the file-format version, a whole number from ${OLDEST_VERSION} to ${FILE_VERSION}`,
      },
    };
  }
  if (version > FILE_VERSION) {
    const by =
      typeof doc.apiVersion === 'string' ? ` (written by engine API ${doc.apiVersion})` : '';
    return {
      problem: {
        path: '/version',
        rule: 'newer-version',
        message:
          `this file is format version ${version}${by}; this app (engine API ${API_VERSION}) reads ` +
          `versions ${OLDEST_VERSION} to ${FILE_VERSION}. Open it with a newer Orchestration Studio ` +
          `that reads file format version ${version}`,
      },
      details: { version, requiredVersion: version, supportedVersion: FILE_VERSION },
    };
  }
  if (version < OLDEST_VERSION) {
    return {
      problem: {
        path: '/version',
        rule: 'version',
        message: `file format version ${version} is no longer read; the oldest this app reads is ${OLDEST_VERSION}`,
      },
    };
  }
  return { doc, version };
}

/** A warning when the file was written by a newer engine major than this one. */
export function apiVersionWarning(doc: Record<string, unknown>): string | undefined {
  const theirs = typeof doc.apiVersion === 'string' ? Number(doc.apiVersion.split('.')[0]) : NaN;
  const ours = Number(API_VERSION.split('.')[0]);
  if (!(theirs > ours)) return undefined;
  return `the file was written by engine API ${String(doc.apiVersion)}, newer than this one (${API_VERSION}); it is read as file format version ${String(doc.version)}`;
}
