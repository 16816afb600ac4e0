"""Chinese product text: normalize, tokenize with a domain dictionary, find a product name's head noun."""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from copark.parsing.names import simplify, strip_legal_form, to_simplified

if TYPE_CHECKING:
    import jieba

_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
# Units only unified right after a number, so 克 in 克服 or 米 in 大米 is never touched.
_UNITS = {
    "公斤": "kg", "千克": "kg", "kg": "kg", "克": "g", "毫克": "mg", "吨": "吨",
    "毫米": "mm", "厘米": "cm", "公里": "km", "千米": "km", "米": "m",
    "毫升": "ml", "升": "l", "平方米": "m2", "平米": "m2", "㎡": "m2", "立方米": "m3", "方": "m3",
}
_UNIT_AFTER_NUMBER = re.compile(
    r"(?<=[\d" + _CN_NUM + r"])\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
)
_ABOUT_BEFORE = re.compile(r"(?:大约|大概|约)\s*(?=[\d" + _CN_NUM + r"])")
_ABOUT_AFTER = re.compile(r"(?<=[\w])\s*(?:左右|上下)(?=$|[\s,;、，；。)])")
_SPACES = re.compile(r"\s+")

# Quantity expressions ("年采购约2000万元", "10万只/年", "500吨左右") that say how much, not what.
_QUANTITY_UNITS = (
    "万元", "亿元", "元", "万", "亿", "千", "百", "kg", "mg", "g", "t", "吨", "m2", "m3", "mm", "cm", "km", "m", "ml", "l",
    "件", "个", "只", "片", "台", "套", "箱", "包", "盒", "袋", "张", "卷", "条", "根", "支", "瓶", "桶", "批", "次", "人",
    "名", "吨/年", "平方", "亩", "pcs",
)
_QUANTITY = re.compile(
    r"(?:每年|每月|年|月)?(?:需求|采购|用量|产量|产能|需要|供应)?量?[:：]?\s*"
    r"(?:大约|约)?\s*(?:\d[\d.,]*[" + _CN_NUM + r"]*|[" + _CN_NUM + r"]+(?=万元|亿元|元|吨))\s*(?:"
    + "|".join(re.escape(u) for u in sorted(_QUANTITY_UNITS, key=len, reverse=True))
    + r")*(?:/(?:年|月|天|日))?\s*(?:左右|以上|以内|上下)?"
)
_BRACKETS = re.compile(r"[(\[【《][^)\]】》]*[)\]】》]")
_SEPARATORS = re.compile(r"[,;、，；。/|\n]+")

# Words around an item saying what to do with it (供应医用海绵, 校服定制), not what it is.
_LEADING_ACTIONS = (
    "求购", "采购", "需要", "寻求", "寻找", "供应", "提供", "承接", "生产", "加工", "制造", "定制", "代工",
    "销售", "批发", "零售", "外协",
)
_TRAILING_ACTIONS = ("定制", "采购", "求购", "供应", "代工", "批发", "零售", "销售", "外协", "生产")

# Generic head nouns of products and services; the domain dictionary adds every product name.
HEAD_NOUNS = frozenset("""
材料 新材料 原材料 辅料 设备 装备 机 机械 机床 器 器械 器材 仪 仪器 仪表 装置 系统 配件 零件 部件 零部件 组件 模组 模块
电池 电芯 电机 电缆 电线 线缆 光缆 纸 纸板 纸箱 膜 薄膜 海绵 棉 过滤棉 无纺布 熔喷布 布 面料 纱 纱线 纤维 服装 服饰 校服
工作服 鞋 帽 手套 口罩 护理垫 尿垫 垫 敷料 绷带 纱布 试剂 药 药品 药材 中药材 胶囊 片剂 注射液 剂 胶 胶水 漆 涂料 油墨
树脂 塑料 橡胶 管 管材 管道 板 板材 型材 钢材 钢 铝材 铜材 玻璃 陶瓷 瓷砖 砖 水泥 混凝土 石材 芯片 集成电路 电路板
线路板 电容 电容器 电阻 电感 传感器 谐振器 振荡器 晶振 显示屏 屏 连接器 开关 继电器 变压器 灯 灯具 泵 阀 阀门 轴承 齿轮
模具 刀具 工具 汽车 车 家具 柜 桌 椅 床 门 窗 包装 包装袋 箱 袋 瓶 罐 食品 饮料 酒 茶 茶叶 油 食用油 米 大米 面粉 饲料
肥料 农药 种子 种苗 苗木 服务 培训 贷款 融资 技术 人才 厂房 仓库 物流 检测 玩具 球 球拍 文具 笔 乐器 饰品 首饰 化妆品
洗涤剂 清洁剂 消毒剂 消毒液 添加剂 助剂 催化剂 颜料 染料 香精 农产品 水果 蔬菜 肉 肉制品 猪肉 豆制品 调味品 酱 罐头 饼干
糕点 糖果 竹 竹制品 木材 木制品 板式家具 纸制品 印刷品 标签 包装盒 医疗器械 耗材 电子元器件 元器件 软件 平台 网站
""".split())


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _normalize_once(text: str) -> str:
    text = to_simplified(_nfkc(text)).lower()
    text = _ABOUT_BEFORE.sub("", text)
    text = _ABOUT_AFTER.sub("", text)
    text = _UNIT_AFTER_NUMBER.sub(lambda m: _UNITS[m.group(1)], text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1 << 18)  # a build touches each distinct offer text several times, in separate passes
def normalize(text: str) -> str:
    """Text for matching: NFKC (full → half width), traditional → simplified, lowercase Latin, units unified,
    "约/左右" around numbers dropped, whitespace collapsed; idempotent."""
    current = text or ""
    for _ in range(4):  # opencc phrase rules can rewrite their own output once more; stop at the fixpoint
        nxt = _normalize_once(current)
        if nxt == current:
            break
        current = nxt
    return current


@lru_cache(maxsize=500_000)  # every offer text of a large index passes here
def fold(text: str) -> str:
    """Simplified, half-width, lower case, whitespace collapsed: the cheap form every tokenizer, n-gram index and
    comparison of matching reads (normalize() also unifies units and drops 约/左右, for knowledge lookups)."""
    return _SPACES.sub(" ", simplify(text or "")).lower().strip()


def strip_company_suffix(name: str) -> str:
    """An organization name without its legal form: 湖南舒小福新材料科技有限公司 → 湖南舒小福新材料科技."""
    return strip_legal_form(normalize(name))


def strip_quantities(text: str) -> str:
    """Text without amounts and quantity words: "医用海绵 年采购约2000万元" → "医用海绵"."""
    return _SPACES.sub(" ", _QUANTITY.sub(" ", normalize(text))).strip()


@dataclass(frozen=True)
class ProductEntry:
    """A product node of the built-in knowledge base (products_<chain>.csv)."""

    name: str
    industry_code: str
    chain: str
    aliases: tuple[str, ...] = ()


@dataclass
class ProductLexicon:
    """Every product name and alias of the built-in knowledge base, normalized, pointing at its entry."""

    entries: dict[str, ProductEntry] = field(default_factory=dict)  # product name → entry
    terms: dict[str, str] = field(default_factory=dict)  # normalized name or alias → product name

    def add(self, entry: ProductEntry) -> None:
        self.entries.setdefault(entry.name, entry)
        for term in (entry.name, *entry.aliases):
            key = normalize(term)
            if len(key) >= 2:
                self.terms.setdefault(key, entry.name)


def _data_files(pattern: str) -> list[resources.abc.Traversable]:
    folder = resources.files("copark.knowledge") / "data"
    if not folder.is_dir():
        return []
    prefix, _, suffix = pattern.partition("*")
    return sorted((f for f in folder.iterdir() if f.name.startswith(prefix) and f.name.endswith(suffix)),
                  key=lambda f: f.name)


@lru_cache(maxsize=1)
def product_lexicon() -> ProductLexicon:
    """The products_*.csv files that exist now (other files may be added later), read once."""
    lexicon = ProductLexicon()
    for file in _data_files("products_*.csv"):
        with file.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                name = (row.get("name") or "").strip()
                if not name:
                    continue
                aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
                chain = (row.get("chain") or file.name[len("products_"):-len(".csv")]).strip()
                lexicon.add(ProductEntry(name, (row.get("industry_code") or "").strip(), chain, aliases))
    return lexicon


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in (*HEAD_NOUNS, *product_lexicon().terms):
        if 2 <= len(word) <= 16 and " " not in word:
            # A fixed high frequency keeps domain words whole; suggest_freq would re-cut every word (slow).
            tokenizer.add_word(word, freq=20000)
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Words of normalized text (jieba + the domain dictionary), without spaces and punctuation."""
    return list(_tokenize_normalized(normalize(text)))


@lru_cache(maxsize=1 << 17)
def _tokenize_normalized(text: str) -> tuple[str, ...]:
    # Cached: modifiers and short phrases (医用, 高效 …) come back for every product they qualify.
    words = _tokenizer().lcut(text, HMM=True)
    return tuple(w for w in (w.strip() for w in words) if w and any(ch.isalnum() for ch in w))


def _known_heads() -> frozenset[str]:
    return HEAD_NOUNS


def _trim_actions(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in _LEADING_ACTIONS:
            if text.startswith(word) and len(text) - len(word) >= 2:
                text, changed = text[len(word):], True
        for word in _TRAILING_ACTIONS:
            if text.endswith(word) and len(text) - len(word) >= 2:
                text, changed = text[: -len(word)], True
    return text


def core_phrase(text: str) -> str:
    """The product phrase of an item text: first segment, no brackets, amounts or action words."""
    clean = _BRACKETS.sub("", strip_quantities(text))
    segments = [s.strip() for s in _SEPARATORS.split(clean) if s.strip()]
    phrase = segments[0] if segments else clean.strip()
    phrase = re.sub(r"[^\w]+", "", phrase)  # spaces and punctuation say nothing about the head
    return _trim_actions(phrase)


# Words that name the kind of deal rather than the thing (设备, 代工, 技术 …): two items sharing only these are
# not about the same thing (实训设备 vs 工业除尘设备, 储能电源组装代工 vs 针织服装代工).
WEAK_TERMS = frozenset(
    "设备 代工 加工 代加工 产能 产品 技术 服务 材料 配件 组装 生产 制造 外协 外发 项目 系统 工程 "
    "运输 物流 渠道 检测 检验 测试 代理 销售 合作 供应 配套 培训".split())

# A need written as a sentence: 想找/希望 … open a wish, not a product (能/会 too, but not in 能源, 会议室 …); 的 ends a
# modifier (主板上的有源晶振), unless what follows it is the supplier sought (能做医用无纺布的厂家).
_WISH = re.compile(r"^(?:我们|我司|公司|本厂)?(?:(?:想|希望|打算|准备|计划|急需|需要|要)(?:安装|添置|购置|配置|更换|装|添)?)?"
                   r"(?:找|寻找|采购|求购|招|购买|买)?(?:[一几两][家批台套些辆]|[一几两]?个(?!月))?"
                   r"(?:(?:能|会|可以)(?!源|量|耗|效|议|计))?(?:做|生产|加工|供应|提供)?")
_SUPPLIERS = ("配套厂", "外协厂", "代工厂", "供应商", "合作方", "厂家", "工厂", "企业", "公司", "单位", "师傅", "团队",
              "厂")  # longest first
_PURPOSE = ("想", "找", "希望", "要", "在", "能签", "做过", "供应商", "合作方")
_CLAUSES = re.compile(r"[,;，；。|\n]+")
_LIST = re.compile(r"、|/|和|以及|及|与|或者|或")
_TAIL_WORDS = ("长期供货", "供货", "长期", "配套", "用", "之类", "这类", "一台", "一套", "一辆", "一批")
# A phrase that states a condition, not a thing: 有SC证, 九脚川字都可以, 也可以, 那种; a clause that states a
# requirement or a preference: 要求耐火2小时, 必须防爆, 最好能办SC.
_CONDITION = re.compile(r"^有.*(?:证|资质)$|可以$|都行$|^那种$")
_REQUIREMENT = re.compile(r"^(?:要求|必须|务必|最好)")
# A clause that says how much and how often (每月几百公斤, 每批两三百只) or only who supplies and how (想找厂家直接供货,
# 源头工厂直供) names no thing.
_FREQUENCY = re.compile(rf"^每(?:年|月|个月|周|天|日|批|次|季度?)(?:大约|大概|约)?[\d{_CN_NUM}几多]")
_SUPPLY_MANNER = re.compile(
    "^(?:源头|本地|附近|周边)?(?:" + "|".join(_SUPPLIERS) + ")(?:直接|长期|稳定)?(?:供货|直供|发货|送货|合作|对接)?$")


# A clause that asks to acquire a thing (想装…, 要添…; not 做: 打算做自己的牌子). The clauses before the first one
# that names a thing (more than a weak term: 想做…的设备 does not) are the situation (老厂房冬天太冷, 工人受不了);
# clauses after it often name the thing more precisely (摄像头带录像机) and are kept. A clause asking for a supplier
# (想找…的振荡器厂) restates what came before (…主板上的有源晶振), which stays; 要 alone states a requirement (要韧性好).
_ACQUIRE = "安装|购买|采购|订购|添置|购置|配置|装|买|订|换|铺|添|刷"
_VERBS = f"{_ACQUIRE}|定做|定制|做|建|用"  # what a wish does to the thing it names: acquire it, or have it made
_ASKS = re.compile(rf"(?:想|要|需要|希望|打算|准备|急需)(?:{_ACQUIRE})")
# A wish and its verb in the middle of a clause: what follows is the thing sought, what precedes it is where it
# goes (厂房屋顶想装光伏发电 → 光伏发电, 员工宿舍要买一批上下铺铁架床 → 上下铺铁架床); a wish without such a verb
# (批次要稳定, 想在溆浦找固定的配套厂) names no product.
_WANTED = re.compile(rf"(?:想|要|需要|希望|打算|准备)(?:{_VERBS})(.+)$")
# A supplier asked to do something for the buyer: what follows is the work sought or what it yields (土鸡想找厂帮忙
# 屠宰分割 → 屠宰分割, 稻谷想找厂代加工成大米 → 大米; 代加工成衣 stays 成衣).
_HELP = re.compile("(?:找(?:{0}|人)?|^(?:{0}|人))(?:帮忙|帮|代)(?:我们|我|咱们)?(?:加工成|做成|制成)?(.{{2,}})$".format("|".join(_SUPPLIERS)))


def _phrase(part: str) -> str:
    part = _trim_actions(_WISH.sub("", part))
    if part.endswith("用"):  # 食堂用, 出口用: a purpose
        return ""
    for word in _TAIL_WORDS:
        if part.endswith(word) and len(part) - len(word) >= 2:
            part = part[: -len(word)]
    return part if len(part) >= 2 and not _CONDITION.search(part) else ""


@lru_cache(maxsize=100_000)
def product_phrases(text: str) -> tuple[str, ...]:
    """The product phrases a need or offer written as a sentence names, in order:
    "血压计主板上的有源晶振，想在溆浦找配套厂" → ("有源晶振",); a plain name gives itself."""
    clean = _BRACKETS.sub("", strip_quantities(normalize(text)))
    situation: list[str] = []  # phrases before any clause asks (kept when none does)
    found: list[str] = []      # phrases from the first clause that asks and names something, and after it
    for clause in _CLAUSES.split(clean):
        clause = re.sub(r"[^\w、/]+", "", clause)
        if not clause or _REQUIREMENT.match(clause) or _FREQUENCY.match(clause):
            continue
        head, _, tail = clause.rpartition("的")
        supplier = next((word for word in _SUPPLIERS if tail.endswith(word)), "")
        if supplier:  # 振荡器厂 → 振荡器; 能做医用无纺布的厂家: the product sits before 的
            stem = tail[: -len(supplier)]
            body = stem if len(stem) >= 2 else head
        elif head and tail.startswith(_SUPPLIERS):  # 硬质合金刀片的厂家直供: the supplier and how it supplies
            body = head
        else:
            body = tail if head else clause
        body = _WISH.sub("", body)
        if _SUPPLY_MANNER.match(body):
            continue
        helped = _HELP.search(body)
        if helped:
            body = helped.group(1)
        elif any(word in body for word in _PURPOSE):
            wanted = _WANTED.search(body)
            body = _WISH.sub("", wanted.group(1)) if wanted else ""
            if not body or any(word in body for word in _PURPOSE):
                continue  # a clause about who or how (想在溆浦找固定的配套厂, 批次要稳定) names no product
        phrases = [p for part in _LIST.split(body) if (p := _phrase(part))]
        asks = bool(_ASKS.search(clause))
        if not found and asks and any(p not in WEAK_TERMS for p in phrases):
            situation = []  # the first clause that asks and names a thing: what came before was the situation
        (found if found or asks else situation).extend(phrases)
    return tuple(dict.fromkeys([*situation, *found]))


#: A text with one of these is a sentence (呼吸机上用的过滤海绵，想找…); without, a name or a list of names.
SENTENCE_MARKS = "，,；;。的"


def sentence_phrases(text: str) -> tuple[str, ...]:
    """The product phrases of a text written as a sentence; () for a name or a list, which is read whole.

    电力销售 or 工程施工 is what a listed firm calls its product: trimming its deal word lost exact matches
    (capability hits@10 0.403 → 0.370 when every text was trimmed).
    """
    return product_phrases(text) if any(mark in text for mark in SENTENCE_MARKS) else ()


def head_noun(text: str) -> tuple[str, list[str]]:
    """The head of a compound product name and its modifiers: 医用海绵 → ("海绵", ["医用"])."""
    phrase = core_phrase(text)
    if not phrase:
        return "", []
    head = ""
    # The longest proper suffix that is a generic head noun (振荡器 in 石英晶体振荡器) ...
    for start in range(1, len(phrase)):
        if phrase[start:] in _known_heads() and len(phrase) - start >= 2:
            head = phrase[start:]
            break
    # ... else the longest proper suffix that is a known product (过滤棉 in 空气过滤棉) ...
    if not head:
        terms = product_lexicon().terms
        for start in range(1, len(phrase) - 1):
            if phrase[start:] in terms:
                head = phrase[start:]
                break
    # ... else jieba's last word, joined with the one before when it is a single character (护理 + 垫).
    if not head:
        words = tokenize(phrase)
        if not words:
            return phrase, []
        head = words[-1]
        if len(head) == 1 and len(words) > 1:
            head = words[-2] + head
        if len(head) == 1 and phrase in HEAD_NOUNS:
            head = phrase
    if head == phrase or not phrase.endswith(head):
        return phrase, []
    return head, tokenize(phrase[: -len(head)])
