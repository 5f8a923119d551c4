// 我负责的事项: the responsible contact's queue (myResolutions), deadlines first, and
// 报告进展 with photos by reference. The server keeps no files: the contact gives the
// address where their own storage (a company file share, a cloud drive's share link) keeps
// the photo, and the browser computes its SHA-256 from the same file so anyone can check
// later that the photo at that address is the one reported.
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { date, dateTime } from "../words.js";

const { ref, reactive, onMounted } = Vue;

const QUEUE = `query($all: Boolean!) { myResolutions(includeFinished: $all) {
  deadline overdue daysOverdue status
  resolution { id solution contactName deadline }
  proposal { id title description progressReports { id text percentDone at photos { url sha256 } } } } }`;

const REPORT = `mutation($p: UUID!, $t: String!, $d: Int!, $photos: [ReferenceInput!]) {
  reportProgress(proposalId: $p, text: $t, percentDone: $d, photos: $photos) {
  __typename ... on ProgressReport { id } ${ERROR_FIELDS} } }`;

const STATUS = {
  DELIBERATED: "待落实",
  IN_PROGRESS: "落实中",
  REPORTED: "已汇报",
  CLOSED: "已销号",
};
const MAX_PHOTOS = 10;

async function sha256Of(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export default {
  name: "MyResolutionsPage",
  template: `
    <section>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" />
      <div class="page-actions">
        <el-checkbox v-model="includeFinished" @change="load">也显示已销号的事项</el-checkbox>
      </div>
      <el-empty v-if="loaded && !items.length" description="目前没有需要您落实的事项" />
      <el-card v-for="item in items" :key="item.proposal.id" shadow="never" class="resolution" data-test="resolution">
        <template #header>
          <div class="resolution-head">
            <strong data-test="topic">{{ item.proposal.title }}</strong>
            <el-tag>{{ statusName(item.status) }}</el-tag>
          </div>
        </template>
        <p><span class="muted">议定方案：</span>{{ item.resolution.solution }}</p>
        <p>
          <span class="muted">完成期限：</span>
          <span :class="{ overdue: item.overdue }" data-test="deadline">{{ day(item.deadline) }}<template v-if="item.overdue">（已逾期 {{ item.daysOverdue }} 天）</template></span>
        </p>
        <el-progress :percentage="latest(item)" :stroke-width="10" :aria-label="'完成进度 ' + latest(item) + '%'" />
        <h2 class="reports-title">进展报告</h2>
        <p v-if="!item.proposal.progressReports.length" class="muted">还没有报告过进展。</p>
        <el-timeline v-else>
          <el-timeline-item v-for="r in item.proposal.progressReports" :key="r.id" :timestamp="when(r.at)">
            <p data-test="report">{{ r.text }}（{{ r.percentDone }}%）</p>
            <ul v-if="r.photos.length" class="photo-links">
              <li v-for="(photo, i) in r.photos" :key="photo.sha256 + i">
                <el-link :href="photo.url" target="_blank" rel="noopener noreferrer" type="primary">照片 {{ i + 1 }}</el-link>
                <span class="muted">SHA-256 {{ photo.sha256.slice(0, 12) }}…</span>
              </li>
            </ul>
          </el-timeline-item>
        </el-timeline>
        <el-button v-if="item.status !== 'CLOSED'" type="primary" data-test="report-progress" @click="openReport(item)">报告进展</el-button>
      </el-card>

      <el-dialog v-model="dialog" title="报告进展" width="min(640px, 96vw)" destroy-on-close>
        <el-form label-position="top" aria-label="报告进展">
          <p class="muted">{{ current && current.proposal.title }}</p>
          <el-form-item label="进展情况" for="progress-text">
            <el-input id="progress-text" v-model="form.text" type="textarea" :rows="4" maxlength="2000" show-word-limit
              placeholder="做了什么、还差什么、预计何时完成" />
          </el-form-item>
          <el-form-item label="完成进度" for="progress-percent">
            <el-slider id="progress-percent" v-model="form.percentDone" :step="10" show-stops aria-label="完成进度" />
          </el-form-item>
          <el-form-item label="现场照片（可选，最多 10 张）">
            <div style="width: 100%">
              <p class="help">服务器不保存照片文件。请先把照片存到贵单位自己的网盘或文件服务器，把照片的链接（http 或 https 开头）粘贴到下面，再选择同一张照片：浏览器会在本机算出它的 SHA-256 校验值一并报告，日后任何人都能核对链接里的照片没有被换过。</p>
              <div v-for="(photo, i) in form.photos" :key="i" class="photo-row">
                <el-input v-model="photo.url" :aria-label="'照片 ' + (i + 1) + ' 的链接'" placeholder="https://…" />
                <label class="el-button" :for="'photo-file-' + i">选择照片</label>
                <input :id="'photo-file-' + i" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp" @change="pick($event, photo)" />
                <span class="muted" data-test="photo-hash">{{ photo.sha256 ? 'SHA-256 ' + photo.sha256.slice(0, 12) + '…' : '未选择照片' }}</span>
                <el-button text type="danger" @click="form.photos.splice(i, 1)">删除</el-button>
              </div>
              <el-button v-if="form.photos.length < maxPhotos" @click="form.photos.push({ url: '', sha256: '' })">添加照片</el-button>
            </div>
          </el-form-item>
          <el-alert v-if="formError" type="error" :title="formError" show-icon :closable="false" role="alert" />
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">取消</el-button>
          <el-button type="primary" :loading="busy" data-test="submit-report" @click="submit">提交</el-button>
        </template>
      </el-dialog>
    </section>`,
  setup() {
    const items = ref([]);
    const loaded = ref(false);
    const error = ref("");
    const includeFinished = ref(false);
    const dialog = ref(false);
    const current = ref(null);
    const busy = ref(false);
    const formError = ref("");
    const form = reactive({ text: "", percentDone: 0, photos: [] });

    async function load() {
      try {
        items.value = (await gql(QUEUE, { all: includeFinished.value })).myResolutions;
      } catch (e) {
        error.value = e.message;
      }
      loaded.value = true;
    }

    function latest(item) {
      const reports = item.proposal.progressReports;
      return reports.length ? reports[reports.length - 1].percentDone : 0;
    }

    function openReport(item) {
      current.value = item;
      form.text = "";
      form.percentDone = latest(item);
      form.photos = [];
      formError.value = "";
      dialog.value = true;
    }

    async function pick(event, photo) {
      const file = event.target.files[0];
      if (!file) return;
      if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
        formError.value = "只能选择 JPEG、PNG 或 WebP 格式的照片。";
        return;
      }
      photo.sha256 = await sha256Of(file);
    }

    async function submit() {
      formError.value = "";
      if (!form.text.trim()) {
        formError.value = "请填写进展情况。";
        return;
      }
      const photos = form.photos.filter((p) => p.url.trim() || p.sha256);
      if (photos.some((p) => !/^https?:\/\//i.test(p.url.trim()))) {
        formError.value = "每张照片都要填写 http 或 https 开头的链接。";
        return;
      }
      if (photos.some((p) => !p.sha256)) {
        formError.value = "每张照片都要选择照片文件，以算出校验值。";
        return;
      }
      busy.value = true;
      try {
        const result = (
          await gql(REPORT, {
            p: current.value.proposal.id,
            t: form.text.trim(),
            d: form.percentDone,
            photos: photos.map((p) => ({ url: p.url.trim(), sha256: p.sha256 })),
          })
        ).reportProgress;
        const refused = problem(result, "ProgressReport");
        if (refused) formError.value = refused;
        else {
          dialog.value = false;
          ElementPlus.ElMessage.success("进展已报告。");
          await load();
        }
      } catch (e) {
        formError.value = e.message;
      }
      busy.value = false;
    }

    onMounted(load);
    return {
      items,
      loaded,
      error,
      includeFinished,
      dialog,
      current,
      busy,
      form,
      formError,
      maxPhotos: MAX_PHOTOS,
      load,
      latest,
      openReport,
      pick,
      submit,
      statusName: (s) => STATUS[s] || s,
      day: date,
      when: dateTime,
    };
  },
};
