"""Which indexes a page's query can use: the plan PostgreSQL makes for it when it must avoid sequential scans.

The demo district is too small for the planner to prefer an index on its own, so the tests refresh
the tables' statistics, turn sequential scans off (for their transaction only) and check that the
index serves the query at all.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plan_of_query_containing(queries: CaptureQueriesContext, marker: str, *, tables: tuple[str, ...]) -> str:
    (sql,) = [query["sql"] for query in queries.captured_queries if marker in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
