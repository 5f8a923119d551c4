// 我的住户's ordering and grouping, without a browser: node --test (npm test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { householdRows, visitLabel, contactPhone } from '../src/households.mjs';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3);
const household = (id, building, unit, room) => ({ id, building, unit, room });

test('households not visited for 30 days come first, the longest unvisited first', () => {
  const { overdue, recent, count } = householdRows(
    {
      households: [household('a', '3号楼', '1单元', '101'), household('b', '3号楼', '1单元', '102'), household('c', '3号楼', '2单元', '101')],
      residents: [],
      notes: [
        { householdId: 'a', visitedAt: NOW - 2 * DAY },
        { householdId: 'b', visitedAt: NOW - 40 * DAY },
        { householdId: 'b', visitedAt: NOW - 45 * DAY },
      ],
    },
    { now: NOW },
  );
  assert.equal(count, 3);
  assert.deepEqual(overdue.map((g) => [g.building, g.unit, g.rows.map((r) => r.household.id)]), [
    ['3号楼', '1单元', ['b']],
    ['3号楼', '2单元', ['c']],
  ]);
  assert.deepEqual(recent.map((g) => g.rows.map((r) => r.household.id)), [['a']]);
  assert.equal(overdue[0].rows[0].lastVisit, NOW - 40 * DAY);
});

test('never visited sorts before visited long ago, rooms in numeric order', () => {
  const { overdue } = householdRows(
    {
      households: [household('x', '1号楼', '1单元', '1001'), household('y', '1号楼', '1单元', '201'), household('z', '1号楼', '1单元', '301')],
      residents: [],
      notes: [{ householdId: 'x', visitedAt: NOW - 90 * DAY }],
    },
    { now: NOW },
  );
  assert.deepEqual(overdue[0].rows.map((r) => r.household.id), ['y', 'z', 'x']);
});

test('residents, their tags once each, and the phone to call', () => {
  const { overdue } = householdRows(
    {
      households: [household('h', '1号楼', '1单元', '101')],
      residents: [
        { id: 'r1', householdId: 'h', name: '王伟', phone: null, tags: ['独居老人', '高龄老人'] },
        { id: 'r2', householdId: 'h', name: '李娜', phone: '13800000000', tags: ['高龄老人'] },
        { id: 'r3', householdId: 'other', name: '张三', phone: '13900000000', tags: [] },
      ],
      notes: [],
    },
    { now: NOW },
  );
  const row = overdue[0].rows[0];
  assert.deepEqual(row.residents.map((r) => r.id).sort(), ['r1', 'r2']);
  assert.deepEqual(row.tags, ['独居老人', '高龄老人'].sort(new Intl.Collator('zh-CN').compare));
  assert.deepEqual(row.contact, { name: '李娜', phone: '13800000000' });
  assert.equal(contactPhone([]), null);
});

test('visit labels', () => {
  assert.equal(visitLabel(null, NOW), '未走访');
  assert.equal(visitLabel(NOW - 1000, NOW), '今天走访');
  assert.equal(visitLabel(NOW - 3 * DAY, NOW), '3天前走访');
});
