"""User-facing text for copark.matching."""

MESSAGES: dict[str, str] = {
}
