/** Small Map helpers the oracle's checks share (grouping records by a key). */

/** Append `value` to the list under `key`, creating the list on first use. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The inner map under `key`, created on first use. */
export function slotsOf<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let slots = map.get(key);
  if (!slots) map.set(key, (slots = new Map()));
  return slots;
}

/** Keep the first value set under `key`. */
export function setFirst<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}
