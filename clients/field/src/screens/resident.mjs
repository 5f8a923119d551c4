// 改电话: correct a resident's phone, offline. The server merges field by field; if the office
// changed the same phone meanwhile, its value stands, the phone's is kept in the conflict
// inbox for the chief, and a notice says so (我的住户's 同步通知).

import { h } from '../dom.mjs';
import { householdTitle } from '../households.mjs';

const PHONE = /^[0-9+\-\s]{5,20}$/;

export function residentPhoneScreen({ data, store, go }, residentId) {
  const resident = data.residents.find((r) => r.id === residentId);
  const household = resident && data.households.find((x) => x.id === resident.householdId);
  if (!resident || !household) {
    return h('div', { class: 'screen' }, h('a', { class: 'back', href: '#/' }, '‹ 我的住户'), h('h1', {}, '找不到这位居民'));
  }
  const message = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        const phone = form.phone.value.trim();
        if (phone && !PHONE.test(phone)) {
          message.textContent = '请填写正确的电话号码。';
          return;
        }
        try {
          const doc = await store.db.resident.findOne(resident.id).exec();
          await doc.incrementalPatch({ phone: phone || null });
          store.noteWrite('resident', resident.id);
          go(`#/h/${household.id}`);
        } catch (error) {
          message.textContent = `保存失败：${error.message}`;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'phone' }, `${resident.name || ''}的联系电话`), h('input', { id: 'phone', name: 'phone', type: 'tel', inputmode: 'tel', autocomplete: 'off', value: resident.phone || '' })),
    message,
    h('button', { type: 'submit', class: 'primary' }, '保存（离线也可以）'),
  );
  return h(
    'div',
    { class: 'screen resident-screen' },
    h('a', { class: 'back', href: `#/h/${household.id}` }, `‹ ${householdTitle(household)}`),
    h('h1', {}, '改电话'),
    form,
  );
}
