"""User-facing text for copark.knowledge."""

MESSAGES: dict[str, str] = {
}
