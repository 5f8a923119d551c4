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

// --- the session: fresh tokens, 4401, login required -------------------------------------

import { createSession, LoginRequiredError } from '../src/index.mjs';
import { renewingWebSocket } from '../src/session.mjs';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('a 4401 close reaches graphql-ws as a retryable 1013, after telling the session', () => {
  class Base {
    set onclose(handler) { this.handler = handler; }
    get onclose() { return this.handler; }
  }
  const seen = [];
  const Renewing = renewingWebSocket(Base, (code) => seen.push(code));
  const socket = new Renewing();
  const delivered = [];
  socket.onclose = (event) => delivered.push(event.code);
  socket.handler({ code: 4401, reason: 'token expired' });
  socket.handler({ code: 4403, reason: 'device revoked' });
  socket.handler({ code: 1006, reason: '' });
  assert.deepEqual(seen, [4401, 4403, 1006]);
  assert.deepEqual(delivered, [1013, 4403, 1006]);
});

test('a refused token is renewed: getToken hears which token the server refused', async () => {
  const asked = [];
  const session = createSession({
    token: 'first',
    getToken: async ({ rejected }) => {
      asked.push(rejected);
      return rejected ? 'renewed' : 'first';
    },
  });
  assert.equal(await session.fresh(), 'first');
  session.refused(); // the server closed the socket with 4401
  assert.equal(await session.fresh(), 'renewed');
  assert.equal(session.current(), 'renewed');
  assert.equal(await session.fresh(), 'first'); // the hint is for one call only
  assert.deepEqual(asked, [undefined, 'first', undefined]);
});

test('getToken is asked once at a time (two refreshes would look like a stolen token)', async () => {
  let calls = 0;
  let release;
  const session = createSession({
    token: 't0',
    getToken: () => { calls += 1; return new Promise((resolve) => { release = () => resolve(`t${calls}`); }); },
  });
  const all = Promise.all([session.fresh(), session.fresh(), session.fresh()]);
  release();
  assert.deepEqual(await all, ['t1', 't1', 't1']);
  assert.equal(calls, 1);
});

test('a failing getToken tells the app once, backs off, and resumes on loginRestored', async () => {
  const clock = fakeClock();
  let failing = true;
  let calls = 0;
  const session = createSession({
    token: 't0',
    now: clock.now,
    getToken: async () => { calls += 1; if (failing) throw new Error('refresh refused'); return 't1'; },
  });
  const told = [];
  session.loginRequired$.subscribe((info) => told.push(info.reason));
  await assert.rejects(session.fresh(), LoginRequiredError);
  assert.equal(session.waiting(), true);
  // While it waits, requests fail at once without asking the app (no hammering).
  for (let i = 0; i < 10; i += 1) await assert.rejects(session.fresh(), LoginRequiredError);
  assert.equal(calls, 1);
  clock.advance(1_000);
  await assert.rejects(session.fresh(), LoginRequiredError); // tried again after the backoff
  assert.equal(calls, 2);
  assert.equal(session.waiting(), true); // and now waits longer (2 s)
  clock.advance(1_000);
  assert.equal(session.waiting(), true);
  assert.deepEqual(told, ['getToken failed']); // told once per streak
  const ready = session.ready();
  failing = false;
  session.loginRestored();
  await ready;
  assert.equal(await session.fresh(), 't1');
});

test('a session ended on the server (4403) asks for a new login, and the same token is refused', async () => {
  const session = createSession({ token: 't0', getToken: async () => 't0' });
  const told = [];
  session.loginRequired$.subscribe((info) => told.push(info.reason));
  session.ended();
  assert.deepEqual(told, ['the session ended on the server']);
  await assert.rejects(session.fresh(), LoginRequiredError);
});

test('a refresh that fails after the user logged in again does not ask for a login again', async () => {
  let fail;
  let calls = 0;
  const session = createSession({
    token: 't0',
    getToken: () => {
      calls += 1;
      if (calls === 1) return new Promise((_, reject) => { fail = () => reject(new Error('refused')); });
      return Promise.resolve('after-login');
    },
  });
  const told = [];
  session.loginRequired$.subscribe((info) => told.push(info.reason));
  const stale = session.fresh();
  session.loginRestored(); // the user logged in while the old refresh was on its way
  fail();
  await assert.rejects(stale, LoginRequiredError);
  assert.deepEqual(told, []);
  assert.equal(session.waiting(), false);
  assert.equal(await session.fresh(), 'after-login');
});
