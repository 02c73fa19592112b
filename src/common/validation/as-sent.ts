import { Transform, type TransformFnParams } from 'class-transformer';

/**
 * JSON values (maps, schemas, unions of shapes) kept exactly as sent, and out of
 * class-transformer's way. class-transformer copies nested plain objects key by key: it
 * silently drops every key named like an Object.prototype member (`toString`, `valueOf`, ...),
 * so `{"toString": 1}` was validated and stored as `{}`, and it does per-key metadata lookups,
 * so a 49,000-key object held the event loop for seconds.
 *
 * The validation pipe holds such values back while it transforms the body (the body carries
 * `undefined` there meanwhile), and `@AsSent()` puts the original value on the DTO instance,
 * where class-validator then checks it.
 */
const heldBack = new WeakMap<object, Map<string, unknown>>();

function keepAsSent({ obj, key }: TransformFnParams): unknown {
  const held = heldBack.get(obj as object);
  return held?.has(key) ? held.get(key) : (obj as Record<string, unknown>)[key];
}

/** The property's value is the one sent (or held back), never class-transformer's copy. */
export const AsSent = () => Transform(keepAsSent, { toClassOnly: true });

/** Whether a `@Transform()` function is AsSent's, which leaves the value as sent. */
export const isAsSentTransform = (fn: unknown): boolean => fn === keepAsSent;

/** Where a value to hold back sits: `owner[key]`. */
export interface HeldValue {
  owner: Record<string, unknown>;
  key: string;
}

/** Replaces each value with `undefined` until the returned function puts them back. */
export function holdBack(values: readonly HeldValue[]): () => void {
  for (const { owner, key } of values) {
    let held = heldBack.get(owner);
    if (!held) heldBack.set(owner, (held = new Map<string, unknown>()));
    held.set(key, owner[key]);
    owner[key] = undefined;
  }
  return () => {
    for (const { owner, key } of values) {
      const held = heldBack.get(owner);
      if (!held?.has(key)) continue;
      owner[key] = held.get(key);
      held.delete(key);
      if (held.size === 0) heldBack.delete(owner);
    }
  };
}
