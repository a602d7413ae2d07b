"""Which indexes a page's query can use: the plan PostgreSQL makes for it when it must avoid sequential scans.

The demo district is too small for the planner to prefer an index on its own, so the tests turn
sequential scans off (for their transaction only) and check that the index serves the query at all.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plan_of_query_containing(queries: CaptureQueriesContext, marker: str) -> str:
    (sql,) = [query["sql"] for query in queries.captured_queries if marker in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
