"""User-facing text for `copark demo`."""

MESSAGES: dict[str, str] = {
    "demo.help": "导入内置的雨溆工业园示例数据（示意性数据），并按行业列出跨区域对接机会。",
    "demo.opt.top": "每个行业显示得分最高的几条",
    "demo.loading": "正在导入示例数据……",
    "demo.not_empty": (
        "数据库 {url} 中已有非示例数据（{parks} 个园区、{orgs} 个机构、{items} 条清单条目），copark demo 不会向其中写入"
        "示例数据，以免虚构机构混入您的清单、覆盖您的园区；数据库未作任何改动"
    ),
    "demo.not_empty.fix": "请在新的数据库中运行示例，例如：copark --database sqlite:///copark-demo.sqlite demo",
    "demo.loaded": "已导入示例数据：{orgs} 家机构，{items} 条资源/需求（数据库：{url}）",
    "demo.matching": "正在匹配跨区域对接机会……",
    "demo.summary": "共找到 {count} 个跨区域对接机会，涉及 {industries} 个行业（按需求方所属行业分组，每组显示得分最高的几条）：",
    "demo.no_industry": "未填行业",
    "demo.line": "{score:>4} 分  {need_org}「{need}」← {offer_org}「{offer}」〔{mode}〕",
    "demo.why": "理由：{why}",
    # Shown wherever demo data is displayed or exported: the data must never pass for real.
    "demo.notice": (
        "示意性数据：以下是内置的雨溆工业园演示数据，不是真实的企业名录或统计数据。名称带“（虚构）”的机构完全虚构；"
        "真实企业（如可孚医疗、舒小福、晶科晶体）只按公开报道出现，其清单条目为示意，不代表企业真实情况。"
    ),
    "demo.notice.end": "以上为示意性数据（演示用），对接结果不代表真实企业的供需关系。",
    "demo.notice.export": (
        "示意性数据：本文件含 copark 内置的雨溆工业园演示数据（{orgs} 个机构），不是真实的企业名录或统计数据；"
        "名称带“（虚构）”的机构完全虚构，真实企业的清单条目为示意。"
    ),
}
