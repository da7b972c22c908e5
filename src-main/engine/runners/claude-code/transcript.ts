import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Whether Claude Code still has the transcript of a conversation (projects/<dir>/<id>.jsonl). */
export function hasTranscript(configDir: string, agentSessionId: string): boolean {
  const projects = join(configDir, 'projects');
  if (!existsSync(projects)) return false;
  return readdirSync(projects).some((dir) =>
    existsSync(join(projects, dir, `${agentSessionId}.jsonl`)),
  );
}
