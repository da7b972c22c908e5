/**
 * Where a checkpoint stands against the current timeline. A restore removes the messages
 * published after the restored checkpoint, so the acknowledged history a checkpoint relies on
 * (it keeps only unacknowledged mail) is still in the database for the head and its ancestors
 * only. A checkpoint that an earlier restore left behind, or one imported from elsewhere, may
 * find part of it gone.
 */
import type { CheckpointStore } from '../store/port';
import type { Checkpoint } from './types';

/** The warning for restoring such a checkpoint, or null when its history is all here. */
export async function historyWarning(
  store: CheckpointStore,
  checkpoint: Checkpoint,
): Promise<string | null> {
  // An undo checkpoint carries the history its restore removed.
  if (checkpoint.tags.includes('pre-restore')) return null;
  if (await onCurrentPath(store, checkpoint.id)) return null;
  return (
    `Checkpoint "${checkpoint.name}" is on another timeline (an earlier restore left it, or it ` +
    'was imported): messages acknowledged on that timeline after it parted from this one are ' +
    'not in this database, so a run resumed from it may do that work again. To keep them, ' +
    'restore the "Before restoring" checkpoint of the restore that left it first.'
  );
}

/** True when `id` is the head or one of its ancestors. */
async function onCurrentPath(store: CheckpointStore, id: string): Promise<boolean> {
  const seen = new Set<string>();
  let at = await store.head();
  while (at !== null && !seen.has(at)) {
    if (at === id) return true;
    seen.add(at);
    at = (await store.get(at))?.parentId ?? null;
  }
  return false;
}
