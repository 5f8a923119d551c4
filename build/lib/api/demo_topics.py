"""What the demo's 长廊议事会 talks about: topics, resolutions, ratings, in plain data.

Kept apart from ``api.demo_council`` (which plays them through the domain services) so the
words can be read and edited as a script, without the mechanics in between. The topics follow
the district report's recurring categories; places are the demo's grids and stairwells.
Days are counted from the day the demo is loaded (negative: in the past).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Choice, ProposalCategory, ProposalSource

PLACE = "3号楼与4号楼之间的文化长廊"
REPORT_PLACE = "社区党群服务中心一楼活动室"
TENANT = "孙桂兰（3号楼1单元租户）"
"""An attendee recorded by name only: a tenant who is not in the register."""

PARKING = ProposalCategory.PARKING
SERVICE = ProposalCategory.PROPERTY_SERVICE
REPAIRS = ProposalCategory.REPAIRS
STRUCTURES = ProposalCategory.ILLEGAL_STRUCTURES
NOISE = ProposalCategory.RENOVATION_NOISE


@dataclass(frozen=True)
class Topic:
    """One 议题; ``grid`` names a grid or a stairwell of ``api.demo.GRIDS``."""

    title: str
    category: ProposalCategory
    description: str
    grid: str
    day: int
    supporters: int = 0
    source: ProposalSource = ProposalSource.RESIDENT


@dataclass(frozen=True)
class Decision:
    """A resolution: the solution, its contact (a demo username, or a name), the deadline day."""

    solution: str
    contact: str
    deadline: int
    by_name: bool = False


CONTACT_TITLES = {"wuye": "物业公司", "chief3": "第三网格网格长", "deputy2": "第二网格副网格长"}
"""How the minutes name a contact who has an account: their post, then their name."""


TOPICS: dict[str, Topic] = {
    "cleaning": Topic(
        "楼道保洁不及时，垃圾桶经常满溢",
        SERVICE,
        "1号楼两个单元的楼道一周才拖一次，门口垃圾桶经常满到地上，夏天有异味，"
        "希望物业增加保洁频次、及时清运。",
        "第一网格",
        -58,
        supporters=4,
    ),
    "basement_pump": Topic(
        "4号楼地下室排水泵故障，一下雨就返水",
        REPAIRS,
        "4号楼1单元地下室的排水泵坏了半年，每次下大雨储藏室都进水，"
        "老人存放的杂物被泡，希望尽快修好。",
        "4号楼1单元",
        -56,
        supporters=3,
    ),
    "charging": Topic(
        "建议在5号楼东侧建电动自行车集中充电棚",
        PARKING,
        "楼道里停电动车、从窗户拉电线充电的情况很多，存在火灾隐患。"
        "建议在5号楼东侧空地建设集中充电棚，安装智能充电桩，刷卡计费。",
        "第三网格",
        -55,
        supporters=6,
    ),
    "shed": Topic(
        "6号楼一楼住户私搭彩钢棚，占用公共绿地",
        STRUCTURES,
        "6号楼1单元一楼住户在楼前绿地上搭了约15平方米的彩钢棚堆放杂物，"
        "挡住了消防通道的一半，邻居多次反映未果。（网格员入户走访时记录）",
        "第四网格",
        -54,
        supporters=5,
        source=ProposalSource.VISIT,
    ),
    "water_pressure": Topic(
        "2号楼1单元高层水压不足，用水高峰经常没水",
        REPAIRS,
        "8楼以上早晚做饭、洗澡的时候水龙头几乎没水，热水器打不着火，"
        "已经持续一个多月。（通过“你反映，我帮您”线上反映）",
        "2号楼1单元",
        -52,
        supporters=3,
        source=ProposalSource.ONLINE,
    ),
    "change_company": Topic(
        "要求更换物业公司",
        SERVICE,
        "物业服务质量差、收费不透明，建议社区出面更换物业公司。",
        "第二网格",
        -50,
        supporters=2,
    ),
    "noon_noise": Topic(
        "装修施工时间不规范，中午和周末噪音太大",
        NOISE,
        "3号楼有几户同时装修，中午12点到2点、周末早上7点就开始电钻、砸墙，"
        "家里有老人和上网课的孩子，希望统一规定施工时间。",
        "第二网格",
        -48,
        supporters=7,
    ),
    "stair_lights": Topic(
        "1号楼2单元楼道声控灯大面积损坏",
        REPAIRS,
        "1号楼2单元一到十层有七层的声控灯不亮，老人晚上上下楼只能摸黑，已经有人摔倒。"
        "（议事会现场提出）",
        "1号楼2单元",
        -40,
        supporters=2,
        source=ProposalSource.MEETING,
    ),
    "fee_audit": Topic(
        "物业费收支不透明，建议公开账目并请第三方审计",
        SERVICE,
        "每年交物业费，却不知道钱花在哪里。建议物业按季度公示收支明细，"
        "并委托第三方机构审计上一年度的物业费和公共收益。",
        "第一网格",
        -35,
        supporters=8,
    ),
    "night_parking": Topic(
        "小区夜间停车难，建议在东门内侧道路施划临时停车位",
        PARKING,
        "晚上八点以后小区里基本找不到车位，车只能停在消防通道或者小区外。"
        "建议在东门内侧道路单侧施划夜间临时停车位，22:00至次日7:00限业主车辆停放。",
        "第三网格",
        -30,
        supporters=5,
    ),
    "parking_outsiders": Topic(
        "外来车辆晚上占用小区车位，业主回家没地方停车",
        PARKING,
        "晚上很多外来车辆进小区过夜，业主下班回家找不到停车位，"
        "建议加强门岗管理，并增加夜间停车位。",
        "第四网格",
        -26,
        supporters=3,
    ),
    "debris": Topic(
        "装修垃圾长期堆放在3号楼2单元楼道",
        NOISE,
        "3号楼2单元5楼装修户把装修垃圾堆在楼道里两个多星期，影响通行，也有消防隐患。",
        "3号楼2单元",
        -20,
    ),
    "drain_pipe": Topic(
        "6号楼外墙雨水管破裂，下雨时污水溅进一楼窗户",
        REPAIRS,
        "6号楼2单元北侧的雨水管在二楼位置断开，一下雨水就直接冲到一楼窗台，墙面也发霉了。",
        "6号楼2单元",
        -12,
        supporters=2,
        source=ProposalSource.ONLINE,
    ),
    "fire_lane": Topic(
        "3号楼北侧消防通道常被私家车占用",
        PARKING,
        "3号楼北侧消防通道晚上经常停满私家车，前几天救护车进不来，耽误了时间。"
        "（网格员入户走访时记录）",
        "第二网格",
        -6,
        supporters=4,
        source=ProposalSource.VISIT,
    ),
}

ROOFTOP = Topic(
    "5号楼楼顶有人私建阳光房，存在安全隐患",
    STRUCTURES,
    "5号楼楼顶平台被人用钢架和玻璃围起来建了阳光房，加重了楼顶荷载，"
    "下雨时顶层漏水。（民主决议箱来信）",
    "5号楼1单元",
    0,
    source=ProposalSource.SUGGESTION_BOX,
)
"""The suggestion box's topic: anonymous, so it is dropped in on the day the demo loads."""

PAST_AGENDA = (
    "cleaning",
    "water_pressure",
    "basement_pump",
    "charging",
    "shed",
    "noon_noise",
    "stair_lights",
)
NEXT_AGENDA = ("night_parking", "fee_audit", "drain_pipe")
"""The upcoming 议事会's agenda, in the order the meeting takes it."""

DECISIONS: dict[str, Decision] = {
    "cleaning": Decision(
        "物业每天上午、下午各保洁一次，垃圾桶满溢即清，实行日产日清；网格员每周抽查并在楼栋群公示。",
        "wuye",
        -30,
    ),
    "water_pressure": Decision(
        "物业联系供水公司检修2号楼二次供水加压泵，更换老化的变频控制器；检修前一天张贴停水通知。",
        "wuye",
        -2,
    ),
    "basement_pump": Decision(
        "更换4号楼地下室排水泵，加装水位报警器，物业每月巡检一次并做记录。",
        "wuye",
        -10,
    ),
    "charging": Decision(
        "在5号楼东侧空地建设电动自行车集中充电棚（约40个充电口）；建设方案交第三网格居民表决，"
        "表决通过后由物业组织实施。",
        "chief3",
        25,
    ),
    "shed": Decision(
        "社区会同街道城管执法队向住户下达限期整改通知书，逾期未拆除的依法拆除并恢复绿地；"
        "网格员每周巡查一次。",
        "街道城管执法队 刘建军",
        -16,
        by_name=True,
    ),
    "noon_noise": Decision(
        "修订《浩宇苑装修管理公约》：工作日8:00—12:00、14:00—18:00可以施工，周末和法定节假日"
        "禁止噪音作业；修订稿提交五方协商小组表决，通过后由物业在办理装修登记时逐户告知。",
        "deputy2",
        30,
    ),
    "stair_lights": Decision(
        "物业一周内把1号楼2单元楼道灯全部换成LED声光控灯，材料费从社区微实事经费列支。",
        "wuye",
        -33,
    ),
}

PROGRESS: dict[tuple[str, int], str] = {
    ("stair_lights", 60): "已更换1至6层楼道灯，剩余楼层灯具到货后安装。",
    ("basement_pump", 70): "厂家复查发现排水管淤堵，正在疏通并加装止回阀。",
    ("cleaning", 50): "已调整保洁排班为每日两次，新增两个分类垃圾桶。",
    ("water_pressure", 30): "供水公司已上门检测，加压泵变频器需更换。",
    ("basement_pump", 60): "新排水泵已采购，等待施工窗口。",
    ("shed", 30): "已下达限期整改通知书，住户提出异议，正在协调。",
}
"""Progress reports between the meetings, by topic and percent done."""

RATINGS: dict[str, tuple[tuple[int, str], ...]] = {
    "cleaning": (
        (5, "现在楼道干净多了"),
        (4, "垃圾清运及时了，希望能坚持"),
        (5, ""),
        (4, "周末偶尔还会满"),
    ),
    "stair_lights": ((5, "晚上下楼终于不用摸黑了"), (5, "感谢社区和物业"), (4, "")),
    "basement_pump": (
        (4, "排水泵换新的了"),
        (2, "上周下大雨地下室还是返水"),
        (1, "问题没解决，储藏室又泡了"),
    ),
}
"""Raisers' and supporters' 评菜, in the order given; the pump's average falls below the floor
and reopens it (the third rating tips it, so all three are recorded first)."""

OPEN_BALLOTS = (Choice.FOR,) * 6 + (Choice.AGAINST,) * 2 + (Choice.ABSTAIN,)
"""The open-ballot vote on the audit so far (plus one in person, for)."""
SECRET_BALLOTS = (Choice.FOR,) * 5 + (Choice.AGAINST,) * 2
"""The secret, one-per-household vote on night parking so far."""
CLOSED_BALLOTS = (Choice.FOR,) * 9 + (Choice.AGAINST,) * 2 + (Choice.ABSTAIN,)
"""The charging shed's secret vote in 第三网格 (plus two in person: for, against)."""

PANEL_NAME = "浩宇苑五方协商小组"
