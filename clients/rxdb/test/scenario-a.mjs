// Scenario A: two phones go offline, edit the same resident, write visit notes, reconnect,
// and converge.
//
//   node test/scenario-a.mjs --server http://127.0.0.1:8000 [--login chief2,member2]
//   node test/scenario-a.mjs --config '{"server": "...", "accounts": [{username, token, deviceId}, ...]}'
//
// Prints one JSON line on stdout (what happened, for the caller to assert on); progress on
// stderr. Exit code 0 when the phones converged with the server, 1 otherwise.

import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { startPhone, accountsFrom, parseArgs, converge, eventually, log, emit, serverDocuments } from './phones.mjs';

const COLLECTIONS = ['household', 'resident', 'visitNote'];
const args = parseArgs();
const server = args.server;
if (!server) throw new Error('give --server http://host:port');
const started = Date.now();
const steps = {};
const mark = (step) => {
  steps[step] = Date.now() - started;
  log(step);
};

const [a1, a2] = await accountsFrom(args, ['chief2', 'member2']);
const p1 = await startPhone({ label: 'phone1', server, account: a1, collections: COLLECTIONS, seed: 11 });
const p2 = await startPhone({ label: 'phone2', server, account: a2, collections: COLLECTIONS, seed: 22 });
const result = { scenario: 'A', accounts: [a1.username, a2.username] };
try {
  await Promise.all([p1.initialSync(), p2.initialSync()]);
  mark('initial sync');

  // The resident both phones will edit, and a household for the notes.
  const residents = await p1.db.resident.find({ sort: [{ id: 'asc' }] }).exec();
  const target = residents.find((r) => r.name && r.householdId);
  if (!target) throw new Error('phone1 holds no resident');
  const rid = target.id;
  const householdId = target.householdId;
  const original = target.toJSON();
  result.residentId = rid;
  result.householdId = householdId;
  result.original = { name: original.name, phone: original.phone, partyMember: original.partyMember };
  if (!(await p2.db.resident.findOne(rid).exec())) throw new Error('phone2 does not hold the resident');

  // Online: phone1 writes a note that phone2 will later delete; it reaches phone2 live.
  const doomedId = randomUUID();
  await p1.db.visitNote.insert({
    id: doomedId, householdId, category: 'routine', text: '将被删除的记录', followUp: false, visitedAt: Date.now(),
  });
  await eventually(async () => p2.db.visitNote.findOne(doomedId).exec(), {
    events$: p2.changes$, what: 'phone2 to receive the online note',
  });
  result.onlineNoteStreamed = p2.streamed.get('visitNote').has(doomedId);
  mark('online note reached phone2');

  // Both phones lose the network (the proxy refuses connections and drops open sockets).
  await Promise.all([p1.proxy.cut(), p2.proxy.cut()]);
  result.cutProof = await new Promise((resolve) => {
    const socket = net.connect(p1.proxy.port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve('reachable'); });
    socket.on('error', (e) => resolve(e.code));
  });
  mark('both offline');

  const r1 = await p1.db.resident.findOne(rid).exec();
  const r2 = await p2.db.resident.findOne(rid).exec();
  const newName = `${original.name}·改`;
  const newPartyMember = !original.partyMember;
  // Different fields.
  await r1.incrementalPatch({ name: newName });
  await r2.incrementalPatch({ partyMember: newPartyMember });
  // Then the same field, differently.
  const phone1 = original.phone === '13900139000' ? '13900139001' : '13900139000';
  const phone2 = original.phone === '13700137000' ? '13700137001' : '13700137000';
  await r1.incrementalPatch({ phone: phone1 });
  await r2.incrementalPatch({ phone: phone2 });
  result.edits = { name: newName, partyMember: newPartyMember, phone: { phone1, phone2 } };

  // Visit notes written offline on both phones; phone2 deletes the online note.
  const notes1 = [];
  const notes2 = [];
  for (let i = 0; i < 3; i += 1) {
    const id = randomUUID();
    notes1.push(id);
    await p1.db.visitNote.insert({ id, householdId, category: 'need', text: `楼道灯坏了 ${i}`, followUp: true, visitedAt: Date.now() });
  }
  for (let i = 0; i < 2; i += 1) {
    const id = randomUUID();
    notes2.push(id);
    await p2.db.visitNote.insert({ id, householdId, category: 'opinion', text: `建议加装电梯 ${i}`, followUp: false, visitedAt: Date.now() });
  }
  await (await p2.db.visitNote.findOne(doomedId).exec()).remove();
  result.notes = { phone1: notes1, phone2: notes2, deleted: doomedId };
  mark('offline edits done');

  // phone1 reconnects first and is in sync; then phone2 (its phone is the late one).
  await p1.proxy.restore();
  p1.reSync();
  await p1.inSync();
  mark('phone1 back and in sync');
  const seen2 = p2.connections();
  await p2.proxy.restore();
  p2.reSync();
  await p2.inSync();
  await p2.streamBack(seen2);
  await p2.inSync();
  mark('phone2 back, in sync and streaming');

  // A note created offline on phone1 while phone2 is online reaches phone2 through the stream.
  await p1.proxy.cut();
  const liveId = randomUUID();
  await p1.db.visitNote.insert({ id: liveId, householdId, category: 'care', text: '独居老人，需每周探访', followUp: true, visitedAt: Date.now() });
  await p1.proxy.restore();
  p1.reSync();
  await eventually(async () => p2.db.visitNote.findOne(liveId).exec(), {
    events$: p2.changes$, timeoutMs: 20_000, what: 'phone2 to receive the offline-created note',
  });
  result.liveNote = { id: liveId, viaStream: p2.streamed.get('visitNote').has(liveId) };
  mark('offline-created note reached phone2 live');

  // The delete reaches phone1.
  await eventually(async () => !(await p1.db.visitNote.findOne(doomedId).exec()), {
    events$: p1.changes$, what: 'the delete to reach phone1',
  });
  mark('delete reached phone1');

  result.convergence = await converge({ server, phones: [p1, p2], collections: COLLECTIONS, timeoutMs: 30_000, strict: Boolean(args.strict) });
  mark('converged');

  const serverResident = (await serverDocuments(server, a1.token, 'resident')).get(rid);
  const serverNotes = await serverDocuments(server, a1.token, 'visitNote');
  result.server = {
    resident: { name: serverResident.name, phone: serverResident.phone, partyMember: serverResident.partyMember },
    notesAlive: [...notes1, ...notes2, liveId].filter((id) => serverNotes.get(id) && !serverNotes.get(id).deleted).length,
    deletedNote: serverNotes.get(doomedId) ? { deleted: serverNotes.get(doomedId).deleted } : null,
  };
  result.phones = {};
  for (const p of [p1, p2]) {
    const r = (await p.db.resident.findOne(rid).exec()).toJSON();
    result.phones[p.label] = { resident: { name: r.name, phone: r.phone, partyMember: r.partyMember } };
  }
  result.ok = result.convergence.converged;
} catch (error) {
  result.ok = false;
  result.error = String(error.stack || error);
} finally {
  result.steps = steps;
  result.resolutions = [...p1.resolutions.map((r) => ({ phone: 1, ...r })), ...p2.resolutions.map((r) => ({ phone: 2, ...r }))];
  result.replicationErrors = { phone1: p1.errors.length, phone2: p2.errors.length, sample: [...p1.errors, ...p2.errors].slice(0, 3) };
  result.proxies = { phone1: p1.proxy.stats, phone2: p2.proxy.stats };
  result.seconds = (Date.now() - started) / 1000;
  await Promise.allSettled([p1.stop(), p2.stop()]);
  emit(result);
  process.exit(result.ok ? 0 : 1);
}
