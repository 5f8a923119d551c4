// 本机凭证: the signed-in resident's change tokens, to carry to another phone (a QR code or
// a code to type) and to bring in from one. Only the signed-in account's tokens are shown.
// The QR code is an address of this page with the code after "#": a phone's camera opens
// the page with it, and the part after "#" never leaves the phone (browsers do not send it).
import qrcode from "/vendor/qrcode-generator/qrcode.mjs";
import { session } from "/static/client.js";
import { carryCode, groupCode, readCarryCode, tokens } from "/static/store.js";
import { $, copyText, say } from "/static/ui.js";

export function showPhone() {
  const account = session.accountId();
  const mine = account ? tokens.all(account) : {};
  const count = Object.keys(mine).length;
  $("carry-none").hidden = count > 0;
  $("carry-code-box").hidden = count === 0;
  say($("import-message"), "");
  $("import-code").value = "";
  if (count === 0) {
    $("carry-code").textContent = "";
    $("carry-qr").removeAttribute("src");
    return;
  }
  const code = carryCode(mine);
  $("carry-code").textContent = groupCode(code);
  const qr = qrcode(0, "M");
  qr.addData(`${location.origin}/#carry=${code}`);
  qr.make();
  $("carry-qr").src = qr.createDataURL(6, 8);
  $("carry-qr").alt = `改票凭证二维码（${count} 次投票）`;
}

const PENDING = "changlang.carry";

// A scanned QR code opened `/#carry=CL1…`: take the code off the address and keep it until
// someone signs in, whose tokens it then becomes (the server checks they are theirs).
export function carryFromAddress() {
  const match = location.hash.match(/^#carry=([A-Za-z0-9_-]+)$/);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  sessionStorage.setItem(PENDING, match[1]);
  say($("login-error"), "已收到从另一部手机带来的改票凭证：请用您自己的登录码登录，登录后自动导入。", "note");
}

export function importPending() {
  const code = sessionStorage.getItem(PENDING);
  const account = session.accountId();
  if (!code || !account) return false;
  sessionStorage.removeItem(PENDING);
  const entries = readCarryCode(code);
  showPhone();
  if (!entries) {
    say($("import-message"), "二维码里的凭证不完整，请在原来的手机上重新打开「本机凭证」再扫。", "error");
    return true;
  }
  for (const [voteId, token] of Object.entries(entries)) tokens.keep(account, voteId, token);
  showPhone();
  say($("import-message"), `已从二维码导入 ${Object.keys(entries).length} 张改票凭证。现在可以在本机改票了。`, "ok");
  return true;
}

export function setupPhone() {
  $("copy-carry").addEventListener("click", () =>
    copyText($("carry-code").textContent.replace(/\s+/g, ""))
      .then(() => say($("import-message"), "代码已复制。", "ok"))
      .catch(() => say($("import-message"), "复制没有成功，请照着抄写。")),
  );
  $("import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const account = session.accountId();
    const entries = readCarryCode($("import-code").value);
    if (!account || !entries) {
      say($("import-message"), "这串代码不对：请核对后重新输入（以 CL1 开头）。", "error");
      return;
    }
    for (const [voteId, token] of Object.entries(entries)) tokens.keep(account, voteId, token);
    const count = Object.keys(entries).length;
    showPhone();
    say($("import-message"), `已导入 ${count} 张改票凭证。现在可以在本机改票了。`, "ok");
  });
}
