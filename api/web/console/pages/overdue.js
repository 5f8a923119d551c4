// 逾期督办: overdue resolutions that have reached the viewer, with how many days past their
// deadline, the contact and who now supervises them (网格长 → 包联干部 → 社区书记).
import { gql } from "../api.js";
import { LEVELS } from "../council-words.js";
import { date } from "../words.js";

const { ref, onMounted } = Vue;

const QUEUE = `{ overdueQueue { daysOverdue level
  proposal { id title grid { name } }
  resolution { contactName deadline solution } } }`;

export default {
  name: "OverduePage",
  template: `
    <section class="overdue">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <p class="muted">超过完成期限仍未汇报的议定事项。逾期越久，督办的层级越高。</p>
      <el-table :data="items" v-loading="loading" :row-key="(r) => r.proposal.id" empty-text="没有逾期事项"
        aria-label="逾期督办" data-test="overdue-table">
        <el-table-column label="议题" min-width="220">
          <template #default="{ row }">
            <router-link class="council-link" :to="'/topics?open=' + row.proposal.id">{{ row.proposal.title }}</router-link>
            <div class="muted">{{ row.proposal.grid ? row.proposal.grid.name : "全社区" }}</div>
          </template>
        </el-table-column>
        <el-table-column label="议定事项" min-width="220">
          <template #default="{ row }">{{ row.resolution.solution }}</template>
        </el-table-column>
        <el-table-column label="联系人" width="170">
          <template #default="{ row }">{{ row.resolution.contactName }}</template>
        </el-table-column>
        <el-table-column label="期限" width="110">
          <template #default="{ row }">{{ day(row.resolution.deadline) }}</template>
        </el-table-column>
        <el-table-column label="逾期" width="90">
          <template #default="{ row }"><strong class="overdue-days">{{ row.daysOverdue }} 天</strong></template>
        </el-table-column>
        <el-table-column label="督办" width="130">
          <template #default="{ row }"><el-tag :type="levels[row.level].type">{{ levels[row.level].label }}</el-tag></template>
        </el-table-column>
      </el-table>
    </section>`,
  setup() {
    const items = ref([]);
    const loading = ref(true);
    const error = ref("");
    onMounted(async () => {
      try {
        items.value = (await gql(QUEUE)).overdueQueue;
      } catch (problem_) {
        error.value = problem_.message;
      } finally {
        loading.value = false;
      }
    });
    return { items, loading, error, levels: LEVELS, day: date };
  },
};
