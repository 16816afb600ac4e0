"""Parsers for what people type into their lists: credit codes, amounts, regions, names."""
