// A conflict handler that merges field by field, with the assumed master state as the base.
//
// RxDB calls `resolve({newDocumentState, assumedMasterState, realMasterState})` when a push
// comes back with a document: the server says "the master differs from what you sent". The
// default handler returns the master whole, which throws away any field the phone changed
// that the master does not carry. This one decides each field on its own:
//
//   - a server-owned field (position, masked ID number, author...): the master's value;
//   - a field only the phone changed (new != base, master == base): the phone's value;
//   - a field the server changed (master != base): the master's value. If the phone changed
//     it too, that is a true conflict: the server has already applied the field's policy and
//     recorded both values in the conflict inbox, so the master's value is the decision;
//   - a field neither changed: the master's value (equal anyway).
//
// One exception keeps a refusal from looping: when the master took *none* of the phone's
// changes and changed nothing the phone changed, the server refused the row (an invalid value,
// no permission...). Re-applying the phone's values would push them again, forever; the
// handler adopts the master and the reason arrives in the `deviceNotice` collection (the
// server keeps the refused values with the reason, so nothing typed is lost).
//
// With no assumed master (a create the server answered), the master is taken whole.

const META = new Set(['_meta', '_rev', '_attachments']);

export function deepEqual(a, b) {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) {
    // An absent field and a null field mean the same thing on the wire ("unset").
    return (a ?? null) === (b ?? null);
  }
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function fieldsOf(...docs) {
  const keys = new Set();
  for (const doc of docs) if (doc) for (const k of Object.keys(doc)) if (!META.has(k)) keys.add(k);
  return [...keys];
}

/** The merged document (without RxDB's meta fields) and which rule decided each field. */
export function mergeFieldByField({ newDocumentState, assumedMasterState, realMasterState }, serverOwned = []) {
  const server = new Set(serverOwned);
  if (!assumedMasterState) return { merged: { ...realMasterState }, refused: false, kept: [] };
  const merged = {};
  const kept = [];
  let phoneChanged = 0;
  let taken = 0;
  for (const key of fieldsOf(newDocumentState, assumedMasterState, realMasterState)) {
    const base = assumedMasterState[key];
    const mine = newDocumentState[key];
    const master = realMasterState[key];
    const masterChanged = !deepEqual(master, base);
    const iChanged = !server.has(key) && !deepEqual(mine, base);
    if (iChanged) {
      phoneChanged += 1;
      if (masterChanged) taken += 1; // the server applied it, merged it, or decided a conflict
    }
    if (iChanged && !masterChanged) {
      kept.push(key);
      merged[key] = mine;
    } else if (master !== undefined) {
      merged[key] = master;
    }
  }
  const refused = phoneChanged > 0 && taken === 0;
  if (refused) return { merged: { ...realMasterState }, refused: true, kept: [] };
  return { merged, refused: false, kept };
}

/**
 * The RxDB conflict handler for one collection.
 * `serverOwned`: the fields the phone never changes (from ./schemas.mjs).
 * `onResolved(info)`: optional, told of every resolution (for logs and tests).
 */
export function fieldByFieldConflictHandler({ serverOwned = [], onResolved } = {}) {
  return {
    isEqual(a, b) {
      const keys = fieldsOf(a, b);
      return keys.every((k) => deepEqual(a[k], b[k]));
    },
    resolve(input) {
      const result = mergeFieldByField(input, serverOwned);
      if (onResolved) onResolved({ id: input.realMasterState.id, ...result, input });
      return result.merged;
    },
  };
}
