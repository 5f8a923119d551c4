// Unit tests of the wrapper, no server needed: `node --test test/` (or `npm test`).

import test from 'node:test';
import assert from 'node:assert/strict';
import { pullQueryBuilderFromRxSchema } from 'rxdb/plugins/replication-graphql';
import { changlangQueryBuilders, dropEmptySelections, mergeFieldByField, COLLECTIONS } from '../src/index.mjs';

const arraySchema = () => {
  const schema = structuredClone(COLLECTIONS.resident.schema);
  schema.properties.tags = { type: 'array', items: { type: 'string' } }; // not nullable: the bug shows
  return schema;
};

test('the stock builder emits an empty selection for an array field; ours drops it', () => {
  const input = { schema: arraySchema(), checkpointFields: ['id', 'updatedAt'], deletedField: 'deleted' };
  const stock = pullQueryBuilderFromRxSchema('resident', input)(null, 5).query;
  assert.match(stock, /tags \{\s*\}/);
  const ours = changlangQueryBuilders('resident', arraySchema());
  for (const query of [ours.pull(null, 5).query, ours.push([]).query, ours.stream({ Authorization: 'x' }).query]) {
    assert.doesNotMatch(query, /\{\s*\}/);
    assert.match(query, /\n\s*tags\n/);
  }
});

test('the pull, push and stream speak the wire shape of SYNC.md', () => {
  const ours = changlangQueryBuilders('resident', COLLECTIONS.resident.schema);
  const pull = ours.pull({ id: 'a', updatedAt: 1 }, 100);
  assert.match(pull.query, /query PullResident\(\$checkpoint: ResidentInputCheckpoint, \$limit: Int!\)/);
  assert.match(pull.query, /checkpoint \{\s*id\s*updatedAt\s*\}/);
  assert.match(pull.query, /\bdeleted\b/);
  assert.deepEqual(pull.variables, { checkpoint: { id: 'a', updatedAt: 1 }, limit: 100 });
  const push = ours.push([{ newDocumentState: { id: 'x', name: 'n', _deleted: false, deleted: false } }]);
  assert.match(push.query, /mutation PushResident\(\$residentPushRow: \[ResidentInputPushRow!\]\)/);
  const stream = ours.stream({ Authorization: 'Bearer t' });
  assert.match(stream.query, /subscription onStream\(\$headers: ResidentInputHeaders\)/);
  assert.deepEqual(stream.variables, { headers: { Authorization: 'Bearer t' } });
});

test('dropEmptySelections leaves a valid query alone', () => {
  const q = 'query { a { b c } d }';
  assert.equal(dropEmptySelections(q), q);
});

const base = { id: '1', name: 'Wang', phone: '13800000000', partyMember: null, updatedAt: 5, idNumber: 'x', _deleted: false };
const owned = COLLECTIONS.resident.serverOwned;

test('a field only the phone changed is kept; a field the server changed is taken', () => {
  const { merged, refused, kept } = mergeFieldByField(
    {
      assumedMasterState: base,
      newDocumentState: { ...base, name: 'Wang Wei', partyMember: true },
      // the server merged: took the phone's partyMember, has a newer phone from someone else,
      // but (say) the phone's name change was in flight and is not in this answer
      realMasterState: { ...base, phone: '13900000000', partyMember: true, updatedAt: 9 },
    },
    owned,
  );
  assert.equal(refused, false);
  assert.deepEqual(kept, ['name']);
  assert.deepEqual(merged, { ...base, name: 'Wang Wei', phone: '13900000000', partyMember: true, updatedAt: 9 });
});

test('a true conflict takes the master (the server applied the policy and filed the inbox)', () => {
  const { merged } = mergeFieldByField(
    {
      assumedMasterState: base,
      newDocumentState: { ...base, name: 'Li Wei', phone: '13700000000' },
      realMasterState: { ...base, name: 'Wang Li', phone: '13700000000', updatedAt: 9 },
    },
    owned,
  );
  assert.equal(merged.name, 'Wang Li');
  assert.equal(merged.phone, '13700000000');
});

test('a refused row adopts the master instead of pushing the refused values for ever', () => {
  const { merged, refused } = mergeFieldByField(
    { assumedMasterState: base, newDocumentState: { ...base, name: '' }, realMasterState: { ...base } },
    owned,
  );
  assert.equal(refused, true);
  assert.equal(merged.name, 'Wang');
});

test('server-owned fields always come from the master; absent and null are the same', () => {
  const { merged } = mergeFieldByField(
    {
      assumedMasterState: { ...base, partyMember: undefined },
      newDocumentState: { ...base, idNumber: 'forged', name: 'Li', partyMember: null, birthYear: 1901 },
      realMasterState: { ...base, name: 'Li', idNumber: '1201********', birthYear: 1950, updatedAt: 7 },
    },
    owned,
  );
  assert.equal(merged.idNumber, '1201********');
  assert.equal(merged.birthYear, 1950);
  assert.equal(merged.partyMember, null);
  assert.equal(merged.name, 'Li');
  assert.equal(merged.updatedAt, 7);
});

test('a create answered by the server takes the master whole', () => {
  const real = { ...base, updatedAt: 11 };
  assert.deepEqual(mergeFieldByField({ newDocumentState: { ...base, name: 'x' }, realMasterState: real }, owned).merged, real);
});
