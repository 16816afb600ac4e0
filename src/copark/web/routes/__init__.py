"""One module per resource; each serves its pages and its /api/… endpoints over copark.api."""
