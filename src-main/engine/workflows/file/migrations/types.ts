/** One step of the migration chain: a file of version `from` becomes a file of version `from + 1`. */
import type { z } from 'zod';

export interface Migration<In = unknown> {
  from: number;
  /** What changed, shown in the warning when a file is migrated. */
  summary: string;
  /** The strict shape of a version-`from` file; its problems are reported at that version's paths. */
  schema: z.ZodType<In>;
  /** Pure: returns the next version's document (not yet validated). Never runs anything. */
  migrate(file: In): Record<string, unknown>;
  /**
   * Maps a JSON Pointer in the migrated document back to the place in the version-`from`
   * document it came from, so problems found later point into the file the person has.
   */
  mapPath(path: string, file: In): string;
}
