// 登录 and the re-login prompt (the session could not be renewed; local data stays).

import { h } from '../dom.mjs';

function problemText(error) {
  if (error && error.code === 'RATE_LIMITED') return '尝试次数过多，请稍后再试。';
  if (error && error.code) return error.message || '用户名或密码不正确。';
  return navigator.onLine ? '暂时无法连接服务器，请稍后再试。' : '当前离线：首次登录需要网络。';
}

function field(id, label, attrs) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, ...attrs }));
}

export function loginScreen({ submit }) {
  const message = h('p', { class: 'problem', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        button.disabled = true;
        try {
          await submit(form.username.value.trim(), form.password.value);
        } catch (error) {
          message.textContent = problemText(error);
          button.disabled = false;
        }
      },
    },
    field('username', '用户名', { autocomplete: 'username', required: true, autocapitalize: 'off' }),
    field('password', '密码', { type: 'password', autocomplete: 'current-password', required: true }),
    message,
    button,
  );
  return h(
    'main',
    { class: 'login' },
    h('img', { src: '/field/icon.svg', alt: '', width: 72, height: 72 }),
    h('h1', {}, '长廊 · 网格走访'),
    h('p', { class: 'hint' }, '红色网格员登录后可离线走访住户，有网时自动同步。'),
    form,
  );
}

export function reloginDialog({ username, submit }) {
  const message = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        try {
          await submit(form.password.value);
        } catch (error) {
          message.textContent = problemText(error);
        }
      },
    },
    h('p', {}, `登录已过期，请重新输入 ${username} 的密码。本机上的资料和未同步的修改都会保留，登录后自动上传。`),
    field('password', '密码', { type: 'password', autocomplete: 'current-password', required: true }),
    message,
    h('button', { type: 'submit', class: 'primary' }, '重新登录'),
  );
  return h('section', { class: 'dialog', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'relogin-title' }, h('h2', { id: 'relogin-title' }, '需要重新登录'), form);
}
