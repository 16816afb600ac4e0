"""The web workspace (server-rendered pages + htmx) and the REST API, both over copark.api."""
