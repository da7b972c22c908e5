/**
 * The migration chain: MIGRATIONS[i] turns version i + 1 into version i + 2, so a file of any
 * supported version reaches FILE_VERSION one step at a time. See docs/migration.md.
 */
import { FILE_VERSION } from '../schema';
import type { Migration } from './types';
import { v1ToV2 } from './v1-to-v2';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration<never>[] = [v1ToV2 as Migration<never>];

/** The oldest version the chain can still read. */
export const OLDEST_VERSION = FILE_VERSION - MIGRATIONS.length;

export function migrationFrom(version: number): Migration<unknown> | undefined {
  return MIGRATIONS.find((m) => m.from === version) as Migration<unknown> | undefined;
}
