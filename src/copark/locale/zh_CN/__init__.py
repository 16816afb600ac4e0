"""Simplified Chinese: every user-facing string, one module per area, merged here.

Each area (imports, knowledge, matching, ...) keeps its messages in its own module with a
`MESSAGES` dict; keys are namespaced by area ("import.missing_header"), so merging cannot clash.
"""

import importlib
import pkgutil

from copark.locale.zh_CN import common

LABELS = common.LABELS
SYNONYMS = common.SYNONYMS
MESSAGES: dict[str, str] = {}
for _module in pkgutil.iter_modules(__path__):
    MESSAGES.update(importlib.import_module(f"{__name__}.{_module.name}").MESSAGES)
