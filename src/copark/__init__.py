"""copark: resource/demand docking for co-built industrial parks (共建产业园区)."""

__version__ = "0.1.0"
