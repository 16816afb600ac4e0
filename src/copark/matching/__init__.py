"""Matching needs (需求) to offers (资源): retrieval, features, scoring, modes and explanations.

The engine (copark.matching.engine) is pure: it works on in-memory documents and never touches the
database, so a batch of needs can be scored anywhere (a process pool, Spark, Ray) against a read-only
index. copark.services.opportunities loads the database into it and stores what it finds.
"""
