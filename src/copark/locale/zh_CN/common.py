"""Simplified Chinese: vocabulary labels and the messages shared by every area."""

LABELS: dict[str, dict[str, str]] = {
    "OrgKind": {
        "enterprise": "企业",
        "bank": "银行",
        "training": "培训机构",
        "trade_platform": "商贸平台",
        "government": "政府部门",
        "other": "其他",
    },
    "Direction": {"offer": "资源", "need": "需求"},
    "ItemKind": {
        "product": "产品",
        "material": "原材料/零部件",
        "processing": "加工产能/代工",
        "technology": "技术/研发",
        "talent": "人才/培训",
        "finance": "金融/信贷",
        "channel": "市场渠道/出口",
        "facility": "土地/厂房",
        "service": "服务",
    },
    "Origin": {"declared": "企业填报", "scope": "经营范围", "inferred": "系统推断"},
    "InferredStatus": {"proposed": "待确认", "accepted": "已采纳", "dismissed": "已忽略"},
}

# Other words people write in the 类别 / 机构类型 / 资源/需求 columns.
SYNONYMS: dict[str, dict[str, str]] = {
    "OrgKind": {
        "公司": "enterprise", "工厂": "enterprise", "企业单位": "enterprise",
        "金融机构": "bank", "银行机构": "bank",
        "培训": "training", "学校": "training", "职业院校": "training", "院校": "training",
        "平台": "trade_platform", "商贸": "trade_platform", "市场": "trade_platform", "外贸平台": "trade_platform",
        "政府": "government", "政府机关": "government", "部门": "government", "事业单位": "government",
    },
    "Direction": {"供给": "offer", "资源清单": "offer", "供应": "offer", "需求清单": "need", "需要": "need", "采购": "need",
                  "求购": "need"},
    "ItemKind": {
        "产品": "product", "成品": "product",
        "原材料": "material", "材料": "material", "零部件": "material", "配件": "material", "元器件": "material",
        "加工": "processing", "代工": "processing", "产能": "processing", "OEM": "processing", "加工产能": "processing",
        "技术": "technology", "研发": "technology", "专利": "technology",
        "人才": "talent", "培训": "talent", "用工": "talent", "劳动力": "talent",
        "金融": "finance", "信贷": "finance", "贷款": "finance", "融资": "finance", "授信": "finance",
        "渠道": "channel", "市场": "channel", "销售渠道": "channel", "出口": "channel", "外贸": "channel",
        "土地": "facility", "厂房": "facility", "用地": "facility", "场地": "facility",
        "服务": "service", "物流": "service", "检测": "service",
    },
}

MESSAGES: dict[str, str] = {
    # the root command
    "cli.help": "copark：共建产业园区资源清单与需求清单对接工具（导入、产业链知识、智能匹配）。",
    "cli.opt.database": "数据库地址（默认取 COPARK_DATABASE_URL，或当前目录的 copark.sqlite）",
    "cli.opt.debug": "出错时显示完整堆栈",
    "cli.opt.version": "显示版本",
    # generic
    "error.prefix": "错误",
    "error.hint": "提示",
    "error.unexpected": "内部错误：{error}",
    "error.unexpected.fix": "请加 --debug 重新运行查看详情，并报告此问题",
    # parsing
    "credit_code.length": "统一社会信用代码“{value}”应为18位，实际{length}位",
    "credit_code.chars": "统一社会信用代码“{value}”含非法字符“{chars}”（不使用 I、O、Z、S、V）",
    "credit_code.check": "统一社会信用代码“{value}”校验位错误：应为“{expected}”，实际为“{actual}”",
    "credit_code.fix": "请核对营业执照上的18位代码",
    "amount.bad": "无法识别金额“{value}”",
    "amount.fix": "请写成如“2000万元”“3.5亿”“500万”或纯数字（单位：元）",
    "region.unknown": "无法识别地区“{value}”",
    "region.ambiguous": "地区“{value}”不唯一，可能是：{candidates}",
    "region.fix": "请写完整名称（如“长沙市雨花区”“怀化市溆浦县”）或6位行政区划代码",
    "region.ambiguous.fix": "请在前面加上所属省、市（如“北京市朝阳区”），或填写6位行政区划代码",
    "number.bad": "“{value}”不是有效数字",
    "number.fix": "请填写数字，如 120",
    "date.bad": "“{value}”不是有效日期",
    "date.fix": "请写成 2025-12-31 或 2025年12月31日",
    "option.not_positive": "{option} 应为正整数，实际为 {value}",
    "option.not_positive.fix": "例如 {option} {example}",
    # finding organizations
    "org.empty_ref": "未指定机构",
    "org.empty_ref.fix": "请给出机构编号、全称或名称中唯一的一部分",
    "org.not_found": "找不到机构“{ref}”",
    "org.not_found.fix": "请用 copark orgs 查看全部机构",
    "org.none_yet.fix": "数据库中还没有机构，请先运行 copark import 或 copark demo",
    "org.ambiguous": "“{ref}”对应多个机构：{names}",
    "org.ambiguous.fix": "请写得更完整，或使用编号",
    # database
    "db.bad_url": "无法解析数据库地址“{url}”",
    "db.bad_url.fix": "COPARK_DATABASE_URL 应形如 sqlite:///copark.sqlite 或 postgresql+psycopg://user:pw@host/db",
    "db.unsupported": "不支持的数据库类型“{name}”",
    "db.unsupported.fix": "请使用 SQLite 或 PostgreSQL",
    "db.no_driver": "缺少 PostgreSQL 驱动 psycopg",
    "db.no_driver.fix": "请运行 pip install 'copark[postgres]'",
    "db.unreachable": "无法连接数据库：{error}",
    "db.unreachable.fix": "请检查 COPARK_DATABASE_URL 与数据库服务是否已启动",
}
