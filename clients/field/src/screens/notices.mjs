// 同步通知: why the server kept a pushed change aside or refused it (the deviceNotice
// collection, pull-only). Nothing typed is lost: the server keeps the values with the reason.
// A notice the volunteer has read is hidden on this device.

import { h } from '../dom.mjs';

const READ_KEY = 'changlang-field-notices-read';

function readIds() {
  try {
    return new Set(JSON.parse(localStorage.getItem(READ_KEY) || '[]'));
  } catch {
    return new Set();
  }
}

export function unreadNotices(notices) {
  const read = readIds();
  return notices.filter((n) => !read.has(n.id)).sort((a, b) => (b.createdAt || 0) - (a.createdAt || 0));
}

export function noticesPanel(notices, redraw) {
  const unread = unreadNotices(notices);
  if (!unread.length) return null;
  const markRead = () => {
    const read = readIds();
    for (const n of unread) read.add(n.id);
    localStorage.setItem(READ_KEY, JSON.stringify([...read]));
    redraw();
  };
  return h(
    'section',
    { class: 'notices', 'aria-labelledby': 'notices-title' },
    h('div', { class: 'row' }, h('h2', { id: 'notices-title' }, `同步通知 · ${unread.length}`), h('button', { type: 'button', onclick: markRead }, '知道了')),
    h('ul', {}, unread.slice(0, 5).map((n) => h('li', {}, n.message || n.code || '有一条修改未被采用'))),
  );
}
