// 你反映，我帮您: raise a topic (title, category, what happened, photos), seeing the similar
// open topics while typing so that one can support that one instead; or drop it in the
// anonymous box (民主决议箱), after being told plainly what anonymity means there.
import { graphql, uploadPhoto } from "/static/client.js";
import { $, busy, el, say } from "/static/ui.js";
import { CATEGORY, TOPIC_STATUS, errorText } from "/static/words.js";
import { supportButton } from "/static/topics.js";

const PHOTOS_MAX = 5;
let photos = []; // {name, ref} once uploaded
let uploading = 0;

function renderPhotos() {
  $("photo-list").replaceChildren(
    ...photos.map((photo, index) =>
      el(
        "li",
        {},
        el("span", { text: `${photo.ref ? "✓" : "…"} ${photo.name}` }),
        el("button", {
          type: "button",
          class: "link",
          text: "删除",
          "aria-label": `删除照片 ${photo.name}`,
          on: {
            click: () => {
              photos.splice(index, 1);
              renderPhotos();
            },
          },
        }),
      ),
    ),
  );
}

async function addPhotos(input) {
  const message = $("raise-message");
  say(message, "");
  for (const file of Array.from(input.files)) {
    if (photos.length >= PHOTOS_MAX) {
      say(message, `最多 ${PHOTOS_MAX} 张照片。`);
      break;
    }
    const photo = { name: file.name, ref: null };
    photos.push(photo);
    renderPhotos();
    uploading += 1;
    try {
      photo.ref = await uploadPhoto(file);
    } catch (error) {
      photos = photos.filter((p) => p !== photo);
      say(message, error.name === "OfflineError" ? "没有网络，照片传不上去；有信号时再选一次。" : error.message);
    } finally {
      uploading -= 1;
      renderPhotos();
    }
  }
  input.value = "";
}

let typing = null;
let asked = "";
function similarWhileTyping(page, openTopic) {
  clearTimeout(typing);
  typing = setTimeout(async () => {
    const text = `${$("raise-title").value} ${$("raise-description").value}`.trim();
    if (text.length < 2 || text === asked || navigator.onLine === false) return;
    asked = text;
    const data = await graphql(
      `query($t: String!) { similarTopics(text: $t) { score proposal { id title status supportCount viewerSupports } } }`,
      { t: text },
    ).catch(() => null);
    if (!data || asked !== text) return;
    const found = data.similarTopics;
    $("similar").hidden = found.length === 0;
    $("similar-list").replaceChildren(
      ...found.map(({ proposal }) => {
        const message = el("p", { class: "error", role: "alert" });
        return el(
          "li",
          {},
          el("p", { class: "strong", text: proposal.title }),
          el("p", { class: "meta", text: `${TOPIC_STATUS[proposal.status]} · 附议 ${proposal.supportCount} 人` }),
          el(
            "div",
            { class: "row-buttons" },
            supportButton(proposal, {
              resident: page.viewer && page.viewer.kind === "RESIDENT",
              message,
              onDone: async () => say(message, "已附议这一条。您不必再重复提交，可以在「我的」里跟进。", "note"),
            }),
            el("button", {
              type: "button",
              class: "link",
              text: "查看",
              "aria-label": `查看：${proposal.title}`,
              on: { click: () => openTopic(proposal.id) },
            }),
          ),
          message,
        );
      }),
    );
  }, 400);
}

async function submit(event, page, goHome) {
  event.preventDefault();
  const button = $("raise-submit");
  const message = $("raise-message");
  const title = $("raise-title").value.trim();
  if (!title) {
    say(message, "请写一个标题，说清是什么事。");
    $("raise-title").focus();
    return;
  }
  if (uploading > 0) {
    say(message, "照片还在上传，请稍等。");
    return;
  }
  const box = document.querySelector("input[name=way]:checked").value === "box";
  const input = {
    title,
    category: $("raise-category").value,
    description: $("raise-description").value.trim(),
    attachments: photos.filter((p) => p.ref).map((p) => p.ref),
  };
  await busy(button, message, async () => {
    if (box) {
      const data = await graphql(
        `mutation($i: SuggestionInput!) { submitSuggestion(input: $i) {
           __typename ... on SuggestionReceived { received anonymity } ... on InvalidInputError { field } ... on Error { code message } } }`,
        { i: input },
      );
      const result = data.submitSuggestion;
      if (result.__typename !== "SuggestionReceived") {
        say(message, errorText(result));
        return;
      }
      reset();
      say(message, result.anonymity, "note");
      return;
    }
    const data = await graphql(
      `mutation($i: RaiseProposalInput!) { raiseProposal(input: $i) {
         __typename ... on RaisedProposal { proposal { id } } ... on InvalidInputError { field }
         ... on Error { code message } } }`,
      { i: { ...input, source: "ONLINE" } },
    );
    const result = data.raiseProposal;
    if (result.__typename !== "RaisedProposal") {
      say(message, errorText(result));
      return;
    }
    reset();
    await goHome("mine");
    say($("mine-note"), "已提交。社区受理后，每一步进展都会显示在这里。", "note");
  });
}

function reset() {
  $("raise-form").reset();
  photos = [];
  asked = "";
  renderPhotos();
  $("similar").hidden = true;
  $("box-explain").hidden = true;
}

export function setupRaise({ page, goHome, openTopic, fail }) {
  $("raise-category").replaceChildren(
    ...Object.entries(CATEGORY).map(([value, label]) => el("option", { value, text: label })),
  );
  const open = (id) => openTopic(id).catch(fail);
  $("raise-title").addEventListener("input", () => similarWhileTyping(page, open));
  $("raise-description").addEventListener("input", () => similarWhileTyping(page, open));
  $("raise-photos").addEventListener("change", (event) => addPhotos(event.target).catch(fail));
  for (const way of document.querySelectorAll("input[name=way]")) {
    way.addEventListener("change", () => {
      const box = document.querySelector("input[name=way]:checked").value === "box";
      $("box-explain").hidden = !box;
      $("raise-submit").textContent = box ? "匿名投入决议箱" : "提交";
    });
  }
  $("raise-form").addEventListener("submit", (event) => submit(event, page, goHome).catch(fail));
}
