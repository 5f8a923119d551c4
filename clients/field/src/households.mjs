// 我的住户: the households of the local database, grouped by building and unit, the ones not
// visited for longest first. Pure functions over plain documents (tested in Node).

export const STALE_DAYS = 30;
const DAY = 86_400_000;

const collator = new Intl.Collator('zh-CN', { numeric: true });

export function householdTitle(household) {
  return [household.building, household.unit, household.room].filter(Boolean).join(' ');
}

/** The phone to call for a household: its first resident with a phone. */
export function contactPhone(residents) {
  const withPhone = residents.find((r) => r.phone);
  return withPhone ? { name: withPhone.name, phone: withPhone.phone } : null;
}

/** Last visit (the phone's `visitedAt`, ms) per household id. */
export function lastVisits(notes) {
  const last = new Map();
  for (const note of notes) {
    if (!note.householdId || !note.visitedAt) continue;
    if (!last.has(note.householdId) || last.get(note.householdId) < note.visitedAt) last.set(note.householdId, note.visitedAt);
  }
  return last;
}

export function daysSince(ms, now = Date.now()) {
  return ms ? Math.floor((now - ms) / DAY) : null;
}

/** "今天", "3天前", "未走访" */
export function visitLabel(ms, now = Date.now()) {
  const days = daysSince(ms, now);
  if (days === null) return '未走访';
  if (days <= 0) return '今天走访';
  return `${days}天前走访`;
}

/**
 * The households screen: { overdue: [group], recent: [group], count }, each group
 * { building, unit, rows: [row] }, each row { household, title, residents, tags, contact,
 * lastVisit, overdue }. The households not visited for `staleDays` (or never) come first, in
 * their own section, grouped by building and unit like the rest, the longest unvisited first.
 */
export function householdRows({ households, residents, notes }, { now = Date.now(), staleDays = STALE_DAYS } = {}) {
  const byHousehold = new Map();
  for (const resident of residents) {
    if (!byHousehold.has(resident.householdId)) byHousehold.set(resident.householdId, []);
    byHousehold.get(resident.householdId).push(resident);
  }
  const visits = lastVisits(notes);
  const rows = households.map((household) => {
    const members = (byHousehold.get(household.id) || []).slice().sort((a, b) => collator.compare(a.name || '', b.name || ''));
    const lastVisit = visits.get(household.id) || null;
    const days = daysSince(lastVisit, now);
    return {
      household,
      title: householdTitle(household),
      residents: members,
      tags: [...new Set(members.flatMap((r) => r.tags || []))].sort(collator.compare),
      contact: contactPhone(members),
      lastVisit,
      overdue: days === null || days >= staleDays,
    };
  });
  const place = (row) => [row.household.building || '', row.household.unit || ''];
  const byPlace = (a, b) =>
    collator.compare(place(a)[0], place(b)[0]) ||
    collator.compare(place(a)[1], place(b)[1]) ||
    collator.compare(a.household.room || '', b.household.room || '');
  const grouped = (list, within) => {
    const groups = new Map();
    for (const row of list.slice().sort(byPlace)) {
      const key = place(row).join('\u0000');
      if (!groups.has(key)) groups.set(key, { building: place(row)[0], unit: place(row)[1], rows: [] });
      groups.get(key).rows.push(row);
    }
    for (const group of groups.values()) group.rows.sort(within);
    return [...groups.values()];
  };
  const longestFirst = (a, b) => (a.lastVisit || 0) - (b.lastVisit || 0) || byPlace(a, b);
  return {
    overdue: grouped(rows.filter((r) => r.overdue), longestFirst),
    recent: grouped(rows.filter((r) => !r.overdue), byPlace),
    count: rows.length,
  };
}
