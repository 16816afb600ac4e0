"""User-facing text for keeping lists current and safe: import --sync, `copark item`, the import lock, backups."""

MESSAGES: dict[str, str] = {
    # import --sync
    "cli.import.sync": "以文件为准同步：文件中出现的机构，其不再列出的企业填报条目标为“已撤回”（保留历史，不再参与匹配）",
    "import.sync_skip": "--sync 不能与 --skip-bad-rows 同时使用：跳过的行会被当作“不再列出”而撤回",
    "import.sync_skip.fix": "请先修正文件中的错误行，再用 --sync 导入",
    "import.summary.withdrawn": "已撤回 {count} 条不再列出的清单条目（保留在历史中，不再参与匹配；copark show 可查看）",
    # the import lock and Ctrl-C
    "import.waiting": "另一个导入正在进行，等待其完成（最多 {seconds} 秒）……",
    "import.busy": "另一个导入正在写入此数据库（已等待 {seconds} 秒），本次导入未写入任何数据",
    "import.busy.fix": "请等另一个导入完成后再运行本命令",
    "import.interrupted": "导入已中止（Ctrl-C），未写入任何数据",
    "db.locked": "数据库正被另一个 copark 命令写入（已等待数秒）：{error}",
    "db.locked.fix": "请等另一个命令（如导入、恢复）完成后再试",
    # `copark item`
    "item.help": "单个清单条目：撤回（保留历史、不再参与匹配）、恢复或删除。条目编号见 copark show。",
    "item.withdraw.help": "撤回一个条目：保留在历史中，不再参与匹配、统计和导出。",
    "item.restore.help": "恢复一个已撤回的条目。",
    "item.delete.help": "彻底删除一个条目及其对接机会（不保留历史）。",
    "item.opt.id": "条目编号（copark show 的“编号”列）",
    "item.withdrawn": "已撤回条目 #{id}「{text}」（{org}）：保留在历史中，不再参与匹配",
    "item.restored": "已恢复条目 #{id}「{text}」（{org}），下次 copark match 时重新参与匹配",
    "item.deleted": "已删除条目 #{id}「{text}」（{org}）",
    "item.not_found": "找不到编号为 {id} 的清单条目",
    "item.not_found.fix": "请用 copark show 机构名称 查看条目编号",
    "item.inferred": "条目 #{id}「{text}」是系统推断的，不能撤回",
    "item.inferred.fix": "请用 copark infer 机构名称 --dismiss {id} 忽略它，或用 copark item delete {id} 删除",
    "item.already_withdrawn": "条目 #{id}「{text}」已经撤回",
    "item.already_withdrawn.fix": "要恢复请运行 copark item restore {id}",
    "item.not_withdrawn": "条目 #{id}「{text}」没有撤回",
    "item.not_withdrawn.fix": "无需恢复",
    "show.withdrawn": "已撤回（{count}，不参与匹配）",
    "show.col.id": "编号",
    "show.col.direction": "资源/需求",
    "show.col.withdrawn_at": "撤回时间",
}
