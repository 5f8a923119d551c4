// 本机凭证: the signed-in resident's change tokens, to carry to another phone (a QR code or
// a code to type) and to bring in from one. Only the signed-in account's tokens are shown.
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
  qr.addData(code);
  qr.make();
  $("carry-qr").src = qr.createDataURL(6, 8);
  $("carry-qr").alt = `改票凭证二维码（${count} 次投票）`;
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
