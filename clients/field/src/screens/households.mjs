// 我的住户: the households the volunteer's posts cover, from the local database.

import { h } from '../dom.mjs';
import { householdRows, visitLabel, STALE_DAYS } from '../households.mjs';
import { noticesPanel } from './notices.mjs';

export function callLink(phone, name) {
  return h('a', { class: 'call', href: `tel:${phone.replace(/[^0-9+]/g, '')}`, 'aria-label': `拨打 ${name || ''} ${phone}` }, '拨打');
}

function householdCard(row, go) {
  const names = row.residents.map((r) => r.name).filter(Boolean);
  return h(
    'li',
    { class: `household${row.overdue ? ' overdue' : ''}`, 'data-id': row.household.id },
    h(
      'a',
      { class: 'open', href: `#/h/${row.household.id}` },
      h('span', { class: 'room' }, row.household.room || row.title),
      h('span', { class: 'names' }, names.length ? names.join('、') : '暂无住户'),
      h('span', { class: 'visit' }, visitLabel(row.lastVisit)),
    ),
    row.tags.length ? h('ul', { class: 'tags', 'aria-label': '标签' }, row.tags.map((t) => h('li', {}, t))) : null,
    row.contact
      ? h('div', { class: 'contact' }, h('span', {}, `${row.contact.name || ''} ${row.contact.phone}`), callLink(row.contact.phone, row.contact.name))
      : null,
  );
}

function groups(list, go) {
  return list.map((group) =>
    h(
      'section',
      { class: 'group' },
      h('h3', {}, `${group.building} ${group.unit}`.trim() || '未填楼栋'),
      h('ul', { class: 'households' }, group.rows.map((row) => householdCard(row, go))),
    ),
  );
}

export function householdsScreen({ data, go, redraw }) {
  const { overdue, recent, count } = householdRows(data);
  const overdueCount = overdue.reduce((n, g) => n + g.rows.length, 0);
  return h(
    'div',
    { class: 'screen households-screen' },
    h('h1', {}, '我的住户', h('span', { class: 'count' }, `${count} 户`)),
    noticesPanel(data.notices, redraw),
    count === 0 ? h('p', { class: 'empty' }, '本机还没有住户资料。有网时点“同步”下载您负责的住户。') : null,
    overdueCount
      ? h('section', { class: 'section' }, h('h2', {}, `超过${STALE_DAYS}天未走访 · ${overdueCount} 户`), groups(overdue, go))
      : null,
    recent.length ? h('section', { class: 'section' }, h('h2', {}, '近期已走访'), groups(recent, go)) : null,
  );
}
