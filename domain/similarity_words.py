"""The words the similar-topics ranking treats specially: stop words and the domain's concepts.

Stop words (的, 希望, 能不能 …) say nothing about what a topic is about; with a handful of
open topics IDF cannot tell them apart from content, so they are dropped outright.

Concepts are the few groups of words residents use interchangeably for the same thing in the
council's categories (停车出行, 物业服务, 水电维修, 拆违治乱, 装修扰民): 停车/车位/泊车,
物业/物业公司, 噪音/扰民/装修声. A word meets a topic that uses another word of its group
at ``CONCEPT_CREDIT``. A group is here only when residents' texts really use its words for
one thing; ``bench/similarity.py --no-concepts`` shows what the table earns.
"""

from __future__ import annotations

_STOP = """
的 地 得 了 着 过 是 在 我 我们 你 你们 他 她 它 他们 咱们 大家 自己 有
也 都 就 和 与 及 或 还 很 太 又 再 吗 呢 吧 啊 呀 哦 嘛 把 被 让 给
对 从 到 向 这 那 这个 那个 这些 那些 这里 那里 一个 一下 一些 能 能不能
可以 可不可以 希望 建议 请 请问 要 想 说 会 什么 怎么 怎么办 怎样 哪里 为什么
问题 情况 一直 老是 总是 经常 已经 现在 最近 里 上 下 中 等 个 东西 事 事情
没 没有 不 好 多 些 去 来 能否 如何 是否 应该 需要 得到 进行 不能 不要
是不是 有没有 不会 时候 有人 人 老 很少 几个 一条
"""
STOPWORDS = frozenset(_STOP.split())

_GROUPS = {
    "停车": "停车 车位 停车位 泊车 停放 停车场 停",  # 停 alone: 乱停, 没地方停
    "物业": "物业 物业公司 物管 物业管理",
    "噪音": "噪音 噪声 扰民 吵 吵闹 太吵 装修声 响声 声音",
    "夜间": "晚上 夜里 夜间 半夜 深夜 夜晚",
    "电动车": "电动车 电瓶车 电动自行车 电驴",
    "漏水": "漏水 渗水 漏雨",
    "违建": "违建 违章 违章建筑 私搭乱建 乱搭乱建 加盖",
}

CONCEPTS: dict[str, str] = {
    word: concept for concept, words in _GROUPS.items() for word in words.split()
}
