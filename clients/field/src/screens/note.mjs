// 民情日记: write or edit a visit note, offline; the replication pushes it when it can.

import { h } from '../dom.mjs';
import { householdTitle } from '../households.mjs';

export const CATEGORY_LABELS = {
  routine: '日常走访',
  need: '群众需求',
  opinion: '意见建议',
  dispute: '矛盾调解',
  care: '重点关爱',
  other: '其他',
};

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function noteScreen({ data, store, go }, { householdId, noteId }) {
  const note = noteId ? data.notes.find((n) => n.id === noteId) : null;
  const homeId = note ? note.householdId : householdId;
  const household = data.households.find((x) => x.id === homeId);
  if ((noteId && !note) || !household) {
    return h('div', { class: 'screen' }, h('a', { class: 'back', href: '#/' }, '‹ 我的住户'), h('h1', {}, '找不到这条记录'));
  }
  const message = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        const values = { category: form.category.value, text: form.text.value.trim(), followUp: form.followUp.checked };
        if (!values.text) {
          message.textContent = '请写下走访情况。';
          return;
        }
        try {
          if (note) {
            const doc = await store.db.visitNote.findOne(note.id).exec();
            await doc.incrementalPatch(values);
            store.noteWrite('visitNote', note.id);
          } else {
            const id = uuid();
            await store.db.visitNote.insert({ id, householdId: homeId, visitedAt: Date.now(), ...values });
            store.noteWrite('visitNote', id);
          }
          go(`#/h/${homeId}`);
        } catch (error) {
          message.textContent = `保存失败：${error.message}`;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'category' }, '类别'), h('select', { id: 'category', name: 'category' }, Object.entries(CATEGORY_LABELS).map(([value, label]) => h('option', { value, selected: (note ? note.category : 'routine') === value }, label)))),
    h('div', { class: 'field' }, h('label', { for: 'text' }, '走访情况'), h('textarea', { id: 'text', name: 'text', rows: 6, maxlength: 4000 }, note ? note.text || '' : '')),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'followUp', name: 'followUp', checked: note ? note.followUp : false }), h('label', { for: 'followUp' }, '需要跟进')),
    message,
    h('button', { type: 'submit', class: 'primary' }, '保存（离线也可以）'),
  );
  return h(
    'div',
    { class: 'screen note-screen' },
    h('a', { class: 'back', href: `#/h/${homeId}` }, `‹ ${householdTitle(household)}`),
    h('h1', {}, note ? '修改民情日记' : '写民情日记'),
    form,
  );
}
