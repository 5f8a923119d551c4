// The volunteers' field app (/field): boot, routes and the sync status bar.
//
// Routes (hash, so the service worker's one cached page serves them all offline):
//   #/                   我的住户
//   #/h/<id>             a household
//   #/h/<id>/note        a new 民情日记 entry for it
//   #/note/<id>          edit an entry
//   #/r/<id>/phone       correct a resident's phone

import { combineLatest } from 'rxjs';
import { login, loadSession, logout, forgetSession, RefusedError } from './auth.mjs';
import { openStore, wipeDevice } from './store.mjs';
import { h, mount } from './dom.mjs';
import { loginScreen, reloginDialog } from './screens/login.mjs';
import { householdsScreen } from './screens/households.mjs';
import { householdScreen } from './screens/household.mjs';
import { noteScreen } from './screens/note.mjs';
import { residentPhoneScreen } from './screens/resident.mjs';
import { statusBar } from './screens/status.mjs';

const root = document.getElementById('app');
const app = { session: null, store: null, data: { households: [], residents: [], notes: [], notices: [] }, ready: false };
window.changlangField = app; // for the browser tests: app.ready, app.store.status$

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'h' && parts[1] && parts[2] === 'note') return { name: 'newNote', id: parts[1] };
  if (parts[0] === 'h' && parts[1]) return { name: 'household', id: parts[1] };
  if (parts[0] === 'note' && parts[1]) return { name: 'editNote', id: parts[1] };
  if (parts[0] === 'r' && parts[1] && parts[2] === 'phone') return { name: 'residentPhone', id: parts[1] };
  return { name: 'households' };
}

let frame = 0;
function render({ force = false } = {}) {
  const current = route();
  // A form is drawn once: a sync arriving while the user types must not wipe the field.
  const isForm = ['newNote', 'editNote', 'residentPhone'].includes(current.name);
  if (!force && isForm && view.dataset.route === location.hash) return;
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(() => draw(current));
}

const header = h('header', { class: 'top' });
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const dialog = h('div', { class: 'dialog-host' });
const view = h('main', { id: 'view', tabindex: '-1' });

function draw(current) {
  const context = { app, session: app.session, store: app.store, data: app.data, go, redraw: () => render({ force: true }) };
  let screen;
  if (!app.ready) screen = h('p', { class: 'empty' }, '正在打开本机数据…');
  else if (current.name === 'household') screen = householdScreen(context, current.id);
  else if (current.name === 'newNote') screen = noteScreen(context, { householdId: current.id });
  else if (current.name === 'editNote') screen = noteScreen(context, { noteId: current.id });
  else if (current.name === 'residentPhone') screen = residentPhoneScreen(context, current.id);
  else screen = householdsScreen(context);
  const routeChanged = view.dataset.route !== location.hash;
  view.dataset.route = app.ready ? location.hash : ''; // a form drawn before the data is drawn again
  mount(view, screen);
  if (routeChanged) {
    const heading = view.querySelector('h1, h2');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
}

function go(hash) {
  location.hash = hash;
}

function drawHeader() {
  const viewer = app.session.viewer;
  const grids = [...new Set(viewer.posts.map((p) => p.grid && p.grid.name).filter(Boolean))].join('、');
  mount(
    header,
    h('div', { class: 'who' }, h('strong', {}, viewer.displayName), h('span', {}, [viewer.communityName, grids].filter(Boolean).join(' · '))),
    h('button', { type: 'button', class: 'link', onclick: signOut }, '退出登录'),
  );
}

async function signOut() {
  if (!confirm('退出登录会清除本机上的住户资料和未同步的修改。确定退出？')) return;
  const store = app.store;
  app.store = null;
  await logout();
  await wipeDevice(store);
  location.replace('/field/');
}

function askToLogInAgain() {
  mount(
    dialog,
    reloginDialog({
      username: app.session.username,
      submit: async (password) => {
        const renewed = await login(app.session.username, password, app.session.deviceId);
        if (renewed.deviceId !== app.session.deviceId) {
          // The server issued a new device: the old one was revoked (a lost phone). What it
          // held goes; the new device starts from a full pull.
          const store = app.store;
          app.store = null;
          await wipeDevice(store);
          location.reload();
          return;
        }
        app.session = renewed;
        mount(dialog);
        app.store.loginRestored();
        app.store.syncNow();
      },
    }),
  );
}

async function start(session) {
  app.session = session;
  mount(root, header, status, dialog, view);
  drawHeader();
  render({ force: true });
  app.store = await openStore(session, {
    onLoginRequired: (info) => {
      // Offline, a refresh that cannot reach the server is no reason to log in again.
      if (navigator.onLine) askToLogInAgain(info);
    },
  });
  app.store.status$.subscribe((value) => mount(status, statusBar(value, () => app.store.syncNow())));
  const { db } = app.store;
  combineLatest([
    db.household.find().$,
    db.resident.find().$,
    db.visitNote.find().$,
    app.store.notices$,
  ]).subscribe(([households, residents, notes, notices]) => {
    app.data = {
      households: households.map((d) => d.toJSON()),
      residents: residents.map((d) => d.toJSON()),
      notes: notes.map((d) => d.toJSON()),
      notices,
    };
    app.ready = true;
    render();
  });
  window.addEventListener('hashchange', () => render({ force: true }));
}

function showLogin() {
  mount(
    root,
    loginScreen({
      submit: async (username, password) => {
        const session = await login(username, password);
        await start(session);
      },
    }),
  );
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch(() => undefined);
}

const saved = loadSession();
if (saved && saved.viewer) start(saved).catch((error) => console.error(error));
else {
  forgetSession();
  showLogin();
}

export { RefusedError };
