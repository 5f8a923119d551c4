// The sync status bar, on every screen: online or offline, last synced, changes waiting, 同步.

import { h } from '../dom.mjs';

function clock(ms) {
  if (!ms) return '尚未同步';
  const date = new Date(ms);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
  return sameDay ? time : `${date.getMonth() + 1}月${date.getDate()}日 ${time}`;
}

export function statusBar(status, syncNow) {
  const state = !status.online ? 'offline' : status.loginRequired ? 'problem' : status.active ? 'syncing' : 'online';
  const label = { offline: '离线', problem: '需重新登录', syncing: '同步中', online: '在线' }[state];
  return [
    h('span', { class: `dot ${state}`, 'aria-hidden': 'true' }),
    h('span', { class: 'state', 'data-state': state }, label),
    h('span', { class: 'synced' }, `上次同步 ${clock(status.lastSyncedAt)}`),
    h('span', { class: 'waiting', 'data-waiting': status.waiting }, status.waiting ? `待上传 ${status.waiting} 条` : '无待上传'),
    status.error ? h('span', { class: 'error' }, status.error) : null,
    h('button', { type: 'button', class: 'sync', onclick: syncNow, disabled: !status.online || status.active }, '同步'),
  ];
}
