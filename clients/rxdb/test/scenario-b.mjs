// Scenario B: phone1's network is flaky (connections refused, replies lost after the server
// applied the push, streams cut mid-message) while it writes hundreds of visit notes, edits
// them, deletes some and edits residents; phone2, on a steady network, writes too. Afterwards
// nothing is lost, nothing duplicated, and both phones equal the server.
//
//   node test/scenario-b.mjs --server http://127.0.0.1:8000 [--login chief2,member2] [--notes 300]
//
// Prints one JSON line on stdout; progress on stderr. Exit code 0 on success.

import { randomUUID } from 'node:crypto';
import { startPhone, accountsFrom, parseArgs, converge, log, emit, serverDocuments, eventually } from './phones.mjs';

const COLLECTIONS = ['household', 'resident', 'visitNote'];
const CATEGORIES = ['routine', 'need', 'opinion', 'dispute', 'care', 'other'];
const args = parseArgs();
const server = args.server;
if (!server) throw new Error('give --server http://host:port');
const NOTES = Number(args.notes || 300);
const EDITS = Math.floor(NOTES / 2);
const DELETES = Math.floor(NOTES / 20);
const started = Date.now();
const steps = {};
const mark = (step) => {
  steps[step] = Date.now() - started;
  log(step);
};
const run = randomUUID().slice(0, 8);
const marker = `B-${run}`;

const [a1, a2] = await accountsFrom(args, ['chief2', 'member2']);
const p1 = await startPhone({ label: 'phone1', server, account: a1, collections: COLLECTIONS, seed: 101, pushBatchSize: 10 });
const p2 = await startPhone({ label: 'phone2', server, account: a2, collections: COLLECTIONS, seed: 202 });
const result = { scenario: 'B', accounts: [a1.username, a2.username], notes: NOTES, marker };
const expected = new Map(); // note id -> the state its phone last wrote (null: deleted)
const expectedResidents = new Map(); // resident id -> name
try {
  await Promise.all([p1.initialSync(), p2.initialSync()]);
  mark('initial sync');
  const households = (await p1.db.household.find({ sort: [{ id: 'asc' }] }).exec()).map((h) => h.id);
  const residents = (await p1.db.resident.find({ sort: [{ id: 'asc' }] }).exec()).map((r) => r.id);
  if (households.length < 2 || residents.length < 30) throw new Error('too few documents in scope');

  p1.proxy.flaky({ refuse: 0.2, loseReply: 0.25, cutStream: 0.25, seed: Number(args.seed || 7) });
  mark('phone1 flaky');

  const write = async (phone, id, doc) => {
    await phone.db.visitNote.insert({ id, ...doc });
    expected.set(id, doc);
  };
  const ids1 = [];
  const p2Writes = (async () => {
    for (let i = 0; i < 20; i += 1) {
      const id = randomUUID();
      await write(p2, id, {
        householdId: households[(i * 7) % households.length], category: 'opinion',
        text: `${marker} phone2 #${i}`, followUp: false, visitedAt: Date.now(),
      });
      if (i % 2 === 0) {
        const rid = residents[residents.length - 1 - i];
        const r = await p2.db.resident.findOne(rid).exec();
        await r.incrementalPatch({ name: `${marker}-p2-${i}` });
        expectedResidents.set(rid, `${marker}-p2-${i}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  // phone1: notes in groups of ten; after each group, edit earlier notes (often while their
  // create is still in flight) and a resident.
  for (let i = 0; i < NOTES; i += 1) {
    const id = randomUUID();
    ids1.push(id);
    await write(p1, id, {
      householdId: households[i % households.length], category: CATEGORIES[i % CATEGORIES.length],
      text: `${marker} phone1 #${i}`, followUp: false, visitedAt: Date.now(),
    });
    if (i % 10 === 9) {
      for (let k = i - 9; k <= i; k += 2) {
        if (k >= EDITS * 2) break;
        const nid = ids1[k];
        const doc = await p1.db.visitNote.findOne(nid).exec();
        const patch = { text: `${expected.get(nid).text} (补充: 已回访)`, followUp: true };
        await doc.incrementalPatch(patch);
        expected.set(nid, { ...expected.get(nid), ...patch });
      }
      const rid = residents[Math.floor(i / 10) % 20];
      const r = await p1.db.resident.findOne(rid).exec();
      await r.incrementalPatch({ name: `${marker}-p1-${i}` });
      expectedResidents.set(rid, `${marker}-p1-${i}`);
      // Let the replication run between groups, as a volunteer types between doors.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  for (let k = 1; k <= DELETES * 2; k += 2) {
    const nid = ids1[k];
    await (await p1.db.visitNote.findOne(nid).exec()).remove();
    expected.set(nid, null);
  }
  await p2Writes;
  mark('writes done');

  // Keep phone1 flaky until the server has seen its writes once (faults keep happening), then
  // let it settle on a steady network.
  await eventually(
    async () => {
      const s = await serverDocuments(server, a1.token, 'visitNote');
      return [...s.values()].filter((d) => d.text && d.text.startsWith(`${marker} phone1`)).length >= NOTES * 0.9;
    },
    { events$: p1.changes$, timeoutMs: 40_000, tickMs: 500, what: 'most of phone1 notes to reach the server while flaky' },
  );
  mark('most notes pushed through the flaky network');
  p1.proxy.steady();
  p1.reSync();
  await Promise.all([p1.inSync(40_000), p2.inSync(40_000)]);
  mark('both in sync');

  result.convergence = await converge({ server, phones: [p1, p2], collections: COLLECTIONS, timeoutMs: 30_000, strict: Boolean(args.strict) });
  mark('converged');

  // Nothing lost, nothing duplicated, every last edit kept.
  const notes = await serverDocuments(server, a1.token, 'visitNote');
  const ours = [...notes.values()].filter((d) => d.text && d.text.startsWith(marker));
  const alive = ours.filter((d) => !d.deleted);
  const byText = new Map();
  for (const d of alive) byText.set(d.text, (byText.get(d.text) || 0) + 1);
  const lost = [];
  const wrong = [];
  for (const [id, want] of expected) {
    const got = notes.get(id);
    if (want === null) {
      if (got && !got.deleted) wrong.push({ id, problem: 'should be deleted' });
      continue;
    }
    if (!got || got.deleted) {
      lost.push(id);
      continue;
    }
    for (const key of ['householdId', 'category', 'text', 'followUp']) {
      if (got[key] !== want[key]) wrong.push({ id, key, want: want[key], got: got[key] });
    }
  }
  const residentDocs = await serverDocuments(server, a1.token, 'resident');
  const residentWrong = [...expectedResidents].filter(([id, name]) => residentDocs.get(id)?.name !== name);
  const phoneCounts = {};
  for (const p of [p1, p2]) {
    const docs = await p.db.visitNote.find().exec();
    phoneCounts[p.label] = docs.filter((d) => d.text && d.text.startsWith(marker)).length;
  }
  result.check = {
    written: expected.size,
    expectedAlive: [...expected.values()].filter(Boolean).length,
    serverAlive: alive.length,
    serverTombstones: ours.length - alive.length,
    duplicatedTexts: [...byText.values()].filter((n) => n > 1).length,
    lost: lost.length,
    wrong: wrong.slice(0, 5),
    wrongCount: wrong.length,
    residentEdits: expectedResidents.size,
    residentWrong: residentWrong.slice(0, 5),
    phoneCounts,
  };
  result.ok =
    result.convergence.converged &&
    lost.length === 0 &&
    wrong.length === 0 &&
    residentWrong.length === 0 &&
    result.check.duplicatedTexts === 0 &&
    alive.length === result.check.expectedAlive &&
    phoneCounts.phone1 === alive.length &&
    phoneCounts.phone2 === alive.length;
} catch (error) {
  result.ok = false;
  result.error = String(error.stack || error);
} finally {
  result.steps = steps;
  result.resolutions = {
    phone1: p1.resolutions.length,
    phone2: p2.resolutions.length,
    refused: [...p1.resolutions, ...p2.resolutions].filter((r) => r.refused).length,
  };
  result.replicationErrors = { phone1: p1.errors.length, phone2: p2.errors.length };
  result.proxies = { phone1: p1.proxy.stats, phone2: p2.proxy.stats };
  result.seconds = (Date.now() - started) / 1000;
  await Promise.allSettled([p1.stop(), p2.stop()]);
  emit(result);
  process.exit(result.ok ? 0 : 1);
}
