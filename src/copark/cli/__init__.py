"""Command-line interface (Typer + Rich); commands call the service layer only."""
