"""Service layer: the queries and unit-of-work functions every interface calls."""
