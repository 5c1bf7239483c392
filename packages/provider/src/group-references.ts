/** The references that one backend call serves, from {@link groupReferences}. */
export interface ReferenceGroup<T> {
  /** The key the group was formed by. */
  key: string;
  /** The parsed references in the group, in order, repeats included. */
  members: T[];
  /** The distinct reference strings of the group, in order of first appearance. */
  refs: string[];
}

/**
 * Groups parsed references by `keyOf` (a Doppler project and config, an
 * Infisical folder), so a provider makes one backend call per group. Groups
 * come in order of first appearance.
 *
 * @example
 * for (const group of groupReferences(parsed, (reference) => reference.folder)) {
 *   const secrets = await abortable(client.list(group.key), signal, { provider: 'vault', refs: group.refs });
 * }
 */
export function groupReferences<T extends { ref: string }>(
  parsed: readonly T[],
  keyOf: (reference: T) => string,
): ReferenceGroup<T>[] {
  const groups = new Map<string, ReferenceGroup<T>>();
  for (const reference of parsed) {
    const key = keyOf(reference);
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, members: [], refs: [] };
      groups.set(key, group);
    }
    group.members.push(reference);
    if (!group.refs.includes(reference.ref)) group.refs.push(reference.ref);
  }
  return [...groups.values()];
}
