// RxDB schemas (JSON Schema) of the changlang collections a volunteer's phone holds.
//
// They mirror the server's declarations in sync/collections/*.py (the GraphQL SDL is the
// authority: `pullX { documents { ... } }`). Rules that the real client imposes:
//
// - Every optional field allows null: the server sends `null` for an unset field (a resident
//   without a phone), and a schema with a plain `type: 'string'` rejects that document.
// - `id` and `updatedAt` are the checkpoint fields; `updatedAt` is a server-stamped,
//   commit-ordered position (not a clock), absent on a document created on the phone until the
//   server has it. Never compare or sort on it in the app.
// - `deleted` is not a schema field: the replication maps the server's `deleted` to RxDB's
//   own `_deleted` (`deletedField: 'deleted'`).
// - `serverOwned` lists the fields the server stamps or derives; the phone never changes them
//   and the conflict handler always takes the server's value for them.
//
// RxDB without its premium package opens at most 13 collections per JavaScript process
// (all databases together): keep to the collections a screen needs.

const nullable = (type, extra = {}) => ({ type: [type, 'null'], ...extra });
const id = { type: 'string', maxLength: 64 };
const position = {
  type: 'number',
  description: 'Server-stamped change position (commit-ordered); the checkpoint. Not a clock.',
};

function collection(title, properties, serverOwned, required = []) {
  return {
    schema: {
      title,
      version: 0,
      primaryKey: 'id',
      type: 'object',
      properties: { id, ...properties, updatedAt: position },
      required: ['id', ...required],
      additionalProperties: false,
    },
    serverOwned: ['updatedAt', ...serverOwned],
  };
}

/** 户: a household the device's posts cover. */
export const household = collection(
  'household',
  {
    gridId: nullable('string'),
    building: nullable('string'),
    unit: nullable('string'),
    room: nullable('string'),
    contactPostId: nullable('string'),
  },
  ['contactPostId'],
);

/**
 * 居民: residents of the covered households. `phone` arrives in full (the volunteer calls it);
 * `idNumber` arrives masked and `birthYear` is the year only (with the full birth date, the
 * masked ID number could be rebuilt): both are read-only, registered through the API.
 */
export const resident = collection(
  'resident',
  {
    householdId: nullable('string'),
    name: nullable('string'),
    phone: nullable('string'),
    tags: nullable('array', { items: { type: 'string' } }),
    partyMember: nullable('boolean'),
    birthYear: nullable('number'),
    idNumber: nullable('string'),
  },
  ['idNumber', 'birthYear'],
);

/** 民情日记: notes of household visits. `visitedAt` is the phone's clock (ms), shown only. */
export const visitNote = collection(
  'visitNote',
  {
    householdId: nullable('string'),
    category: nullable('string'),
    text: nullable('string'),
    followUp: nullable('boolean'),
    visitedAt: nullable('number'),
    authorAccountId: nullable('string'),
  },
  ['authorAccountId'],
);

/** 议题 raised in the field. */
export const proposal = collection(
  'proposal',
  {
    title: nullable('string'),
    description: nullable('string'),
    category: nullable('string'),
    source: nullable('string'),
    gridId: nullable('string'),
    residentId: nullable('string'),
    status: nullable('string'),
    submittedOn: nullable('string'),
    raisedByAccountId: nullable('string'),
  },
  ['status', 'submittedOn', 'raisedByAccountId'],
);

/** Who came to a meeting. */
export const attendance = collection(
  'attendance',
  {
    meetingId: nullable('string'),
    residentId: nullable('string'),
    name: nullable('string'),
    recordedById: nullable('string'),
  },
  ['recordedById'],
);

/**
 * In-person ballots recorded at a meeting (append-only: never edit or delete one; record a
 * new one to change a vote where allowed). `choice` and `changeToken` are sealed: once synced
 * the server sends null for them (secret votes), so keep the voter's slip, not the document.
 * `meetingId` names the meeting under way where the ballot was given (the server records the
 * voter's attendance there if the phone has not).
 * Server side in progress when this was written: not yet exercised by the scenarios.
 */
export const ballot = collection(
  'ballot',
  {
    voteId: nullable('string'),
    meetingId: nullable('string'),
    residentId: nullable('string'),
    accountId: nullable('string'),
    choice: nullable('string'),
    changeToken: nullable('string'),
    castAt: nullable('number'),
    receivedAt: nullable('number'),
    status: nullable('string'),
    recordedById: nullable('string'),
  },
  ['receivedAt', 'status', 'recordedById'],
);

/** Pull-only: why a pushed row was refused, or "resync from scratch". */
export const deviceNotice = collection(
  'deviceNotice',
  {
    kind: nullable('string'),
    collection: nullable('string'),
    documentId: nullable('string'),
    code: nullable('string'),
    message: nullable('string'),
    createdAt: nullable('number'),
  },
  ['kind', 'collection', 'documentId', 'code', 'message', 'createdAt'],
);

export const COLLECTIONS = { household, resident, visitNote, proposal, attendance, ballot, deviceNotice };
