"""Write the demo's park-operation records (src/copark/demo/data/{projects,figures,exports,credit,training}.csv).

Illustrative data: every enterprise, bank and school named here is invented (its name ends with （虚构）). The totals
are the public reports' figures for 雨溆工业园 (33 projects signed, 18 operating, 42.95亿元 revenue, 2.42亿元 tax,
3.5亿元 credit from 5 banks, exports to 32 countries); how they divide between the invented firms is invented.
Deterministic: run it again and the files come out the same. Run: python3 scripts/make_demo_operations.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "copark" / "demo" / "data"
PARTNER, HOST = "长沙市雨花区", "怀化市溆浦县"
TEAM = "雨花区·溆浦县联合招商组"
REVENUE_WAN, TAX_WAN, CREDIT_WAN = 429_500, 24_200, 35_000

# (name, industry class, source region, final stage) — 33 signed, 18 of them operating, 2 terminated
SIGNED = [
    ("湖南溆浦恒通海绵制品有限公司（虚构）", "2924", PARTNER, "达产"),
    ("溆浦县华泰无纺布有限公司（虚构）", "1781", PARTNER, "达产"),
    ("溆浦县鑫达电子有限公司（虚构）", "3982", PARTNER, "达产"),
    ("湖南溆浦康源卫材有限公司（虚构）", "2770", PARTNER, "达产"),
    ("溆浦县宏达医疗配件有限公司（虚构）", "3589", PARTNER, "投产"),
    ("溆浦县天成塑业有限公司（虚构）", "2929", PARTNER, "投产"),
    ("溆浦县锦程织造有限公司（虚构）", "1761", PARTNER, "投产"),
    ("溆浦县乐行体育器材有限公司（虚构）", "2443", PARTNER, "投产"),
    ("溆浦县金盾五金制品有限公司（虚构）", "3399", HOST, "投产"),
    ("溆浦县永盛纸品包装有限公司（虚构）", "2231", HOST, "投产"),
    ("湖南溆浦雪峰鹅业食品有限公司（虚构）", "1352", HOST, "投产"),
    ("溆浦县众鑫羽绒制品有限公司（虚构）", "1942", HOST, "投产"),
    ("湖南溆晶电子元件有限公司（虚构）", "3989", PARTNER, "投产"),
    ("溆浦县瑞丰服饰有限公司（虚构）", "1811", PARTNER, "投产"),
    ("湖南雪峰新材料科技有限公司（虚构）", "2651", PARTNER, "投产"),
    ("溆浦县康宁医用耗材有限公司（虚构）", "2770", PARTNER, "投产"),
    ("溆浦县远航运动用品有限公司（虚构）", "2449", "广东省东莞市", "投产"),
    ("湖南溆锦纺织科技有限公司（虚构）", "1781", "浙江省绍兴市", "投产"),
    ("溆浦县精工模具有限公司（虚构）", "3525", PARTNER, "在建"),
    ("湖南溆芯电路有限公司（虚构）", "3982", PARTNER, "在建"),
    ("溆浦县绿羽家纺有限公司（虚构）", "1942", HOST, "在建"),
    ("湖南溆康健康科技有限公司（虚构）", "3581", PARTNER, "在建"),
    ("溆浦县恒信包装材料有限公司（虚构）", "2231", PARTNER, "在建"),
    ("湖南溆达连接器有限公司（虚构）", "3989", PARTNER, "在建"),
    ("溆浦县鹅都食品有限公司（虚构）", "1352", HOST, "在建"),
    ("溆浦县动力体育用品有限公司（虚构）", "2443", PARTNER, "签约"),
    ("湖南溆浦新材塑胶有限公司（虚构）", "2929", PARTNER, "签约"),
    ("溆浦县安康卫生用品有限公司（虚构）", "2770", PARTNER, "签约"),
    ("湖南溆浦智控电子有限公司（虚构）", "3982", "广东省深圳市", "签约"),
    ("溆浦县美衣服饰有限公司（虚构）", "1811", PARTNER, "签约"),
    ("溆浦县金属表面处理有限公司（虚构）", "3360", PARTNER, "签约"),
    ("溆浦县禾丰粮油有限公司（虚构）", "1331", HOST, "终止"),
    ("溆浦县青竹制品有限公司（虚构）", "2041", HOST, "终止"),
]
OPEN = [
    ("湖南溆浦光电材料有限公司（虚构）", "3985", PARTNER, "洽谈"),
    ("溆浦县华美鞋业有限公司（虚构）", "1952", "广东省东莞市", "洽谈"),
    ("湖南溆源医疗器械有限公司（虚构）", "3589", PARTNER, "线索"),
    ("溆浦县织梦家纺有限公司（虚构）", "1771", "浙江省绍兴市", "线索"),
]
REASONS = {"溆浦县禾丰粮油有限公司（虚构）": "不符合园区定位（粮油加工），缺少上下游配套，入园后经营困难",
           "溆浦县青竹制品有限公司（虚构）": "不符合园区定位（竹制品），缺少上下游配套，入园后经营困难"}
STAGES = ["线索", "洽谈", "签约", "在建", "投产", "达产"]
DATE_HEADERS = ["线索日期", "洽谈日期", "签约日期", "开工日期", "投产日期", "达产日期"]
COUNTRIES = ["美国", "德国", "日本", "韩国", "英国", "法国", "意大利", "西班牙", "荷兰", "比利时", "波兰", "俄罗斯",
             "土耳其", "阿联酋", "沙特阿拉伯", "印度", "越南", "泰国", "马来西亚", "新加坡", "印度尼西亚", "菲律宾",
             "澳大利亚", "新西兰", "加拿大", "墨西哥", "巴西", "智利", "阿根廷", "南非", "埃及", "尼日利亚"]
BANKS = ["长沙银行雨溆合作支行（虚构）", "湖南银行雨花高铁新城支行（虚构）", "长沙农村商业银行雨花支行（虚构）",
         "中国邮政储蓄银行长沙雨花区支行（虚构）", "中国工商银行长沙雨花支行（虚构）"]
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]


def _day(index: int, step: int) -> dt.date:
    return dt.date(2022, 10, 8) + dt.timedelta(days=(index * 11 + step * 67) % 60 + step * 75)


def _split(total: int, weights: list[int]) -> list[int]:
    parts = [total * w // sum(weights) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def main() -> None:
    projects, operating = [], []
    for index, (name, industry, source, final) in enumerate(SIGNED + OPEN):
        terminated = final == "终止"
        reached = STAGES.index("签约") if terminated else STAGES.index(final)
        dates = {STAGES[s]: _day(index, s) for s in range(reached + 1)}
        size = 3000 + (index * 1777) % 9000  # 万元
        row = {"企业名称": name, "所属园区": "雨溆工业园", "来源地区": source, "招商团队": TEAM, "行业": industry,
               "阶段": final, "终止原因": REASONS.get(name, ""), "计划投资（万元）": size,
               "实际投资（万元）": size * 9 // 10 if reached >= STAGES.index("在建") else "",
               "用地（亩）": 20 + (index * 13) % 80, "预计年营收（万元）": size * 2,
               "就业人数": 60 + (index * 37) % 400 if reached >= STAGES.index("投产") else "",
               "备注": "示意性数据"}
        for stage, header in zip(STAGES, DATE_HEADERS, strict=True):
            row[header] = dates[stage].isoformat() if stage in dates else ""
        row["终止日期"] = (dates["签约"] + dt.timedelta(days=200)).isoformat() if terminated else ""
        projects.append(row)
        if final in ("投产", "达产"):
            operating.append((name, dates["投产"]))
    assert len(SIGNED) == 33 and len(operating) == 18

    figures = []
    for index, (name, since) in enumerate(operating):
        for quarter in QUARTERS:
            year, number = int(quarter[:4]), int(quarter[-1])
            if dt.date(year, 3 * number, 28) >= since:
                figures.append([name, quarter, 5 + (index * 7 + number * 3) % 11])
    revenues = _split(REVENUE_WAN, [w for *_, w in figures])
    taxes = _split(TAX_WAN, [w + 2 for *_, w in figures])
    with (OUT / "figures.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "期间", "主营收入（万元）", "税收（万元）", "地方留成税收（万元）", "产值（万元）",
                         "员工人数"])
        for (name, quarter, weight), revenue, tax in zip(figures, revenues, taxes, strict=True):
            writer.writerow([name, quarter, revenue, tax, tax * 2 // 5, revenue * 21 // 20, 50 + weight * 20])

    with (OUT / "projects.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(projects[0]))
        writer.writeheader()
        writer.writerows(projects)

    exporters = [name for name, _ in operating[:8]]
    with (OUT / "exports.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "期间", "出口国家/地区", "出口额（万元）"])
        for index, country in enumerate(COUNTRIES):
            writer.writerow([exporters[index % len(exporters)], QUARTERS[2 + index % 4], country, 40 + index * 9])

    borrowers = [name for name, *_ in SIGNED[:20]]
    amounts = _split(CREDIT_WAN, [3 + i % 5 for i in range(len(borrowers))])
    with (OUT / "credit.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["银行", "企业名称", "产品", "授信金额（万元）", "已用金额（万元）", "授信日期", "到期日期"])
        for index, (name, amount) in enumerate(zip(borrowers, amounts, strict=True)):
            granted = dt.date(2023, 1 + index % 12, 10)
            writer.writerow([BANKS[index % 5], name, ["流动资金贷款", "固定资产贷款", "订单贷"][index % 3], amount,
                             amount * 3 // 5, granted.isoformat(), granted.replace(year=2026).isoformat()])

    with (OUT / "training.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["课程", "培训机构", "培训人数", "园区企业录用人数", "开始日期", "结束日期"])
        for index, course in enumerate(["缝纫工订单班", "注塑操作工", "电子装配工", "医用卫材生产工", "数控车工",
                                        "电商直播运营"]):
            start = dt.date(2023, 2 + index * 2, 1)
            writer.writerow([course, "溆浦县雪峰职业技能培训学校（虚构）", 60 + index * 25, 40 + index * 15,
                             start.isoformat(), (start + dt.timedelta(days=45)).isoformat()])


if __name__ == "__main__":
    main()
