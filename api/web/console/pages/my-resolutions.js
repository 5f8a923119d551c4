// 我负责的事项: the responsible contact's queue (myResolutions), deadlines first, and
// 报告进展 with photos by reference. A photo is uploaded to the server's content-addressed
// store (POST /console/files) and reported as its address with its SHA-256; the browser
// computes the checksum too and refuses a reference that does not match what it sent.
import { ERROR_FIELDS, accessToken, gql, problem, uploadFile } from "../api.js";
import { date, dateTime } from "../words.js";

const { ref, reactive, onMounted, onBeforeUnmount } = Vue;

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
            <div v-if="r.photos.length" class="photos">
              <figure v-for="(photo, i) in r.photos" :key="photo.sha256 + i" class="photo">
                <img v-if="thumbs[photo.sha256]" :src="thumbs[photo.sha256]" :alt="'进展照片 ' + (i + 1)" data-test="photo" />
                <el-link v-else :href="photo.url" target="_blank" rel="noopener noreferrer" type="primary">照片 {{ i + 1 }}</el-link>
                <figcaption class="muted">SHA-256 {{ photo.sha256.slice(0, 12) }}…</figcaption>
              </figure>
            </div>
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
              <p class="help">可上传 JPEG、PNG 或 WebP 照片，每张不超过 10 MB。照片按内容保存，报告里记下它的 SHA-256 校验值，日后任何人都能核对照片没有被换过。</p>
              <div class="photos">
                <figure v-for="(photo, i) in form.photos" :key="photo.sha256" class="photo">
                  <img :src="photo.preview" :alt="'待报告的照片 ' + (i + 1)" />
                  <figcaption class="muted" data-test="photo-hash">SHA-256 {{ photo.sha256.slice(0, 12) }}…</figcaption>
                  <el-button text type="danger" @click="form.photos.splice(i, 1)">删除</el-button>
                </figure>
              </div>
              <template v-if="form.photos.length < maxPhotos">
                <label class="el-button" for="photo-file">选择照片</label>
                <input id="photo-file" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp" multiple @change="pick" />
              </template>
              <el-progress v-if="uploading" :percentage="uploadPercent" aria-label="上传进度" />
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
    const uploading = ref(false);
    const uploadPercent = ref(0);
    const thumbs = reactive({});
    const blobs = [];

    async function load() {
      try {
        items.value = (await gql(QUEUE, { all: includeFinished.value })).myResolutions;
        loadThumbs();
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

    async function pick(event) {
      formError.value = "";
      const chosen = Array.from(event.target.files || []);
      event.target.value = "";
      uploading.value = true;
      try {
        for (const file of chosen) {
          if (form.photos.length >= MAX_PHOTOS) break;
          if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
            formError.value = `${file.name}：只能上传 JPEG、PNG 或 WebP 格式的照片。`;
            continue;
          }
          const mine = await sha256Of(file);
          uploadPercent.value = 0;
          const stored = await uploadFile("/console/files", file, {
            onProgress: (share) => {
              uploadPercent.value = Math.round(share * 100);
            },
          });
          if (!stored || stored.sha256 !== mine) {
            formError.value = `${file.name}：服务器保存的照片与您选择的不一致，请重新上传。`;
            continue;
          }
          if (!form.photos.some((p) => p.sha256 === mine)) {
            form.photos.push({ url: stored.url, sha256: mine, preview: remember(URL.createObjectURL(file)) });
          }
        }
      } catch (e) {
        formError.value = e.message;
      }
      uploading.value = false;
    }

    // Photos in the server's store need the bearer token: fetched once, shown from a blob.
    async function loadThumbs() {
      const token = await accessToken();
      const ours = `${location.origin}/files/`;
      for (const item of items.value) {
        for (const report of item.proposal.progressReports) {
          for (const photo of report.photos) {
            if (thumbs[photo.sha256] || !photo.url.startsWith(ours)) continue;
            try {
              const response = await fetch(photo.url, { headers: { Authorization: `Bearer ${token}` } });
              if (response.ok) thumbs[photo.sha256] = remember(URL.createObjectURL(await response.blob()));
            } catch {
              // Shown as a link instead.
            }
          }
        }
      }
    }

    function remember(address) {
      blobs.push(address);
      return address;
    }

    async function submit() {
      formError.value = "";
      if (!form.text.trim()) {
        formError.value = "请填写进展情况。";
        return;
      }
      if (uploading.value) {
        formError.value = "照片还在上传，请稍候。";
        return;
      }
      busy.value = true;
      try {
        const result = (
          await gql(REPORT, {
            p: current.value.proposal.id,
            t: form.text.trim(),
            d: form.percentDone,
            photos: form.photos.map((p) => ({ url: p.url, sha256: p.sha256 })),
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
    onBeforeUnmount(() => blobs.forEach((address) => URL.revokeObjectURL(address)));
    return {
      uploading,
      uploadPercent,
      thumbs,
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
