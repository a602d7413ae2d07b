"""Which indexes a page's query can use: the plan PostgreSQL makes when only the index under test is left.

The demo district is too small for the planner to prefer one index over another on its own, and
which it picks moves with the statistics the rest of the suite leaves behind. So, inside the
test's transaction (rolled back afterwards), the tables' other plain indexes are dropped —
constraint indexes stay — and sequential scans turned off: the plan then shows whether the
indexes under test serve the query at all.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

OTHER_PLAIN_INDEXES = """
    SELECT index_class.relname
    FROM pg_index
    JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
    WHERE pg_index.indrelid = ANY(%s::regclass[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)
      AND NOT index_class.relname = ANY(%s)
"""


def plan_of_query_containing(
    queries: CaptureQueriesContext, marker: str, *, tables: tuple[str, ...], keeping: tuple[str, ...]
) -> str:
    (sql,) = [query["sql"] for query in queries.captured_queries if marker in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(OTHER_PLAIN_INDEXES, [list(tables), list(keeping)])
        for (index,) in cursor.fetchall():
            cursor.execute("DROP INDEX " + connection.ops.quote_name(index))
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
