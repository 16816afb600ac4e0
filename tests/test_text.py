"""copark.knowledge.text: normalizing, tokenizing and head nouns of product text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copark.knowledge.text import (
    core_phrase,
    head_noun,
    normalize,
    product_phrases,
    strip_company_suffix,
    strip_quantities,
    tokenize,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ　医用海绵", "abc 医用海绵"),
        ("醫用護理墊", "医用护理垫"),
        ("鋰電池", "锂电池"),
        ("約500公斤", "500kg"),
        ("2000千克左右", "2000kg"),
        ("  石英   晶体  ", "石英 晶体"),
        ("节约用水", "节约用水"),  # 约 is only dropped before a number
        ("大米 10 吨", "大米 10吨"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_empty() -> None:
    assert normalize("") == ""
    assert normalize(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "head", "modifiers"),
    [
        ("医用海绵", "海绵", ["医用"]),
        ("石英晶体振荡器", "振荡器", ["石英", "晶体"]),
        ("空气过滤棉", "过滤棉", ["空气"]),
        ("医用护理垫", "护理垫", ["医用"]),
        ("一次性医用口罩", "口罩", ["一次性", "医用"]),
        ("水泥", "水泥", []),
        ("校服定制", "校服", []),
        ("采购医用海绵", "海绵", ["医用"]),
        ("醫用海綿", "海绵", ["医用"]),
    ],
)
def test_head_noun(text: str, head: str, modifiers: list[str]) -> None:
    assert head_noun(text) == (head, modifiers)


def test_head_noun_empty_and_quantities_only() -> None:
    assert head_noun("") == ("", [])
    assert head_noun("约500吨左右") == ("", [])


def test_tokenize_uses_domain_words() -> None:
    assert tokenize("空气过滤棉") == ["空气", "过滤棉"]
    assert tokenize("医用护理垫，年采购") [:2] == ["医用", "护理垫"]
    assert "，" not in tokenize("医用海绵，纱布")


def test_strip_quantities_and_core_phrase() -> None:
    assert strip_quantities("医用海绵 年采购约2000万元") == "医用海绵"
    assert strip_quantities("锂电池 10万只/年") == "锂电池"
    assert strip_quantities("一次性口罩") == "一次性口罩"  # 一次 is not a quantity here
    assert core_phrase("供应：医用海绵（灭菌）、纱布") == "医用海绵"


def test_strip_company_suffix() -> None:
    assert strip_company_suffix("湖南舒小福新材料科技有限公司") == "湖南舒小福新材料科技"
    assert strip_company_suffix("可孚医疗科技股份有限公司") == "可孚医疗科技"


# --- invariants -----------------------------------------------------------------------------------

_CJK = st.sampled_from(list("医用海绵护理垫石英晶体振荡器空气过滤棉纺织服装钢铁水泥电子乾後發醫療機械約左右"))
_TEXT = st.text(
    alphabet=st.one_of(_CJK, st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                       st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), st.just("\u3000")),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def _to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else ("\u3000" if c == " " else c) for c in text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30))
def test_full_and_half_width_normalize_equal(text: str) -> None:
    assert normalize(_to_full_width(text)) == normalize(text)


_PAIRS = [("醫用護理墊", "医用护理垫"), ("鋰電池", "锂电池"), ("機械加工", "机械加工"), ("紡織服裝", "纺织服装"),
          ("過濾棉", "过滤棉"), ("電線電纜", "电线电缆"), ("石英晶體諧振器", "石英晶体谐振器"), ("醫療器械", "医疗器械")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_PAIRS), min_size=1, max_size=4), st.sampled_from(["", " ", "、", "；"]))
def test_traditional_and_simplified_normalize_equal(pairs: list[tuple[str, str]], sep: str) -> None:
    traditional = sep.join(p[0] for p in pairs)
    simplified = sep.join(p[1] for p in pairs)
    assert normalize(traditional) == normalize(simplified)


_PRODUCTS = ["医用海绵", "石英晶体振荡器", "空气过滤棉", "医用护理垫", "不锈钢管材", "锂电池", "校服", "水泥",
             "一次性医用口罩", "羽毛球拍"]
_AMOUNTS = st.builds(
    lambda prefix, about, number, unit, suffix: f"{prefix}{about}{number}{unit}{suffix}",
    st.sampled_from(["", " ", " 年采购", "，年需求", " 每年", "：", " 产量"]),
    st.sampled_from(["", "约", "大约"]),
    st.one_of(st.integers(min_value=1, max_value=99999).map(str),
              st.floats(min_value=0.1, max_value=999, allow_nan=False).map(lambda f: f"{f:.1f}")),
    st.sampled_from(["", "万元", "亿元", "元", "吨", "万只", "件", "台", "套", "kg", "公斤", "千克", "片", "箱"]),
    st.sampled_from(["", "左右", "以上", "/年"]),
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_PRODUCTS), _AMOUNTS)
def test_amounts_do_not_change_the_head_noun(product: str, amount: str) -> None:
    assert head_noun(product + amount) == head_noun(product)


@pytest.mark.parametrize(("text", "expected"), [
    ("血压计主板上的有源晶振，想在本县找配套厂", ("有源晶振",)),
    ("采购菜籽油、茶油，每月10吨", ("菜籽油", "茶油")),
    # a wish and its verb inside a clause: the object is sought, what comes before is where it goes
    ("办公楼楼顶想装太阳能热水器", ("太阳能热水器",)),
    ("食堂要买一批不锈钢餐桌，约40张", ("不锈钢餐桌",)),
    ("样品间想做防静电地坪", ("防静电地坪",)),
    ("包装车间要用气泡膜和胶带", ("气泡膜", "胶带")),
    # the supplier sought, with its trade (外协厂, 代工厂), is not the product
    ("想找做齿轮、链轮的外协厂", ("齿轮", "链轮")),
    ("找豆瓣酱代工厂", ("豆瓣酱",)),
    # 或者 is one word; 能 and 会 open a wish but not 能源 or 会议
    ("干辣椒或者花椒，每月一吨", ("干辣椒", "花椒")),
    ("会议桌椅，能源站阀门", ("会议桌椅", "能源站阀门")),
    # measure words, conditions and the supplier's way of supplying are not the product
    ("想买几台小型烘干机，一台也可以", ("小型烘干机",)),
    ("叉车一辆，要有合格证", ("叉车",)),
    ("想找不锈钢水箱的厂家直供，邻县的也可以", ("不锈钢水箱",)),
    ("面膜代工，找有资质的厂", ("面膜",)),
    # a wish without such a verb says how or who, not what
    ("批次要稳定，想在本县找固定的配套厂", ()),
    # clauses before the first that asks for a thing are the situation; later ones are kept
    ("仓库漏雨很严重，屋面想换彩钢瓦", ("彩钢瓦",)),
    ("食堂油烟太大，员工有意见，想装油烟净化器", ("油烟净化器",)),
    ("想装监控，摄像头带夜视", ("监控", "摄像头带夜视")),
    # a clause asking for a supplier restates the thing, which stays
    ("水泵上用的机械密封，想找做密封件的厂", ("机械密封", "密封件")),
    ("锅炉房要刷耐高温漆", ("耐高温漆",)),
    ("实验室想添几个通风橱和一台纯水机", ("通风橱", "纯水机")),
    # a requirement or a preference is not a thing (要求 is not a wish); a clause asking only for a weak term
    # (设备) leaves the situation as the thing
    ("阻燃海绵，要求过UL94", ("阻燃海绵",)),
    ("烘干房，必须防爆，最好带安装", ("烘干房",)),
    ("秸秆粉碎，想找能做的设备", ("秸秆粉碎", "设备")),
    # how much and how often, or only who supplies and how, names no thing
    ("烘干用的生物质颗粒，想找厂家直接供货，每月几百公斤", ("生物质颗粒",)),
    ("包装用的纸箱，源头工厂直供，每批两三千个", ("纸箱",)),
    # a supplier asked to do work for the buyer: the work, or what it yields, is sought
    ("自家种的茶叶想找厂帮忙杀青揉捻", ("杀青揉捻",)),
    ("收的玉米想找厂代加工成玉米粉", ("玉米粉",)),
    ("想找厂代加工成衣", ("成衣",)),
    ("想找厂家帮我们代工面膜", ("面膜",)),
])
def test_product_phrases_of_sentences(text: str, expected: tuple[str, ...]) -> None:
    assert product_phrases(text) == expected


def test_making_a_brand_is_no_situation_reset() -> None:
    # 做 is no acquiring verb: 打算做自己的牌子 does not make the product asked before it a mere situation
    assert product_phrases("想找能做竹筷的厂，打算做自己的牌子")[0] == "竹筷"
