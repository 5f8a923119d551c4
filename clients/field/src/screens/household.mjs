// 一户: the household's residents (tags, phone with a call button), and its 民情日记.

import { h } from '../dom.mjs';
import { householdTitle, visitLabel } from '../households.mjs';
import { callLink } from './households.mjs';
import { CATEGORY_LABELS } from './note.mjs';

function age(birthYear) {
  return birthYear ? `${new Date().getFullYear() - birthYear}岁` : null;
}

function visitTime(ms) {
  return ms ? new Date(ms).toLocaleString('zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '';
}

export function householdScreen({ data }, id) {
  const household = data.households.find((x) => x.id === id);
  if (!household) {
    return h('div', { class: 'screen' }, h('a', { class: 'back', href: '#/' }, '‹ 我的住户'), h('h1', {}, '找不到这户'), h('p', { class: 'empty' }, '这户不在您负责的范围内，或已从本机移除。'));
  }
  const residents = data.residents
    .filter((r) => r.householdId === id)
    .sort((a, b) => (a.birthYear || 9999) - (b.birthYear || 9999) || (a.name || '').localeCompare(b.name || '', 'zh-CN'));
  const notes = data.notes.filter((n) => n.householdId === id).sort((a, b) => (b.visitedAt || 0) - (a.visitedAt || 0));
  return h(
    'div',
    { class: 'screen household-screen' },
    h('a', { class: 'back', href: '#/' }, '‹ 我的住户'),
    h('h1', {}, householdTitle(household)),
    h('p', { class: 'visit' }, notes.length ? visitLabel(notes[0].visitedAt) : '未走访'),
    h('h2', {}, `住户 · ${residents.length} 人`),
    h(
      'ul',
      { class: 'residents' },
      residents.map((r) =>
        h(
          'li',
          { class: 'resident' },
          h('div', { class: 'line' }, h('strong', {}, r.name || '（无姓名）'), h('span', {}, [age(r.birthYear), r.partyMember ? '党员' : null].filter(Boolean).join(' · '))),
          r.tags && r.tags.length ? h('ul', { class: 'tags', 'aria-label': '标签' }, r.tags.map((t) => h('li', {}, t))) : null,
          r.idNumber ? h('div', { class: 'muted' }, `证件 ${r.idNumber}`) : null,
          h(
            'div',
            { class: 'contact' },
            h('span', {}, r.phone || '无电话'),
            h(
              'span',
              { class: 'actions' },
              h('a', { class: 'button small', href: `#/r/${r.id}/phone`, 'aria-label': `改电话 ${r.name || ''}` }, '改电话'),
              r.phone ? callLink(r.phone, r.name) : null,
            ),
          ),
        ),
      ),
    ),
    h('div', { class: 'row' }, h('h2', {}, '民情日记'), h('a', { class: 'button primary', href: `#/h/${id}/note` }, '写日记')),
    notes.length
      ? h(
          'ul',
          { class: 'notes' },
          notes.map((n) =>
            h(
              'li',
              { class: 'note' },
              h(
                'a',
                { href: `#/note/${n.id}` },
                h('span', { class: 'meta' }, `${visitTime(n.visitedAt)} · ${CATEGORY_LABELS[n.category] || '其他'}${n.followUp ? ' · 需跟进' : ''}`),
                h('span', { class: 'text' }, n.text || '（无内容）'),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, '还没有走访记录。'),
  );
}
