"""User-facing text for copark.imports."""

MESSAGES: dict[str, str] = {
}
