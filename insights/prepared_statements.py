"""Prepared statements for the statements every page runs, planned once per connection.

PostgreSQL plans a statement on every run unless it is prepared: the profile's record took about 2 ms
to plan and under 1 ms to run, and what an educator holds (every page asks) several times longer to
plan than to run. A statement marked with ``prepared(sql)`` is prepared by psycopg on its first run
on a connection, and after five runs planned for their values PostgreSQL keeps one generic plan for
it. Only marked
statements are prepared, on purpose: a generic plan ignores the values, and for the statements whose
best plan depends on them (the districtwide home's lists, the notes search) PostgreSQL picked generic
plans 5-10 times slower than planning each run. A marked statement keeps the same text from run to
run (values are parameters, never inlined), and psycopg keeps at most 100 per connection.

``DATABASE_PREPARED_STATEMENTS=false`` (behind a transaction-mode pooler without prepared-statement
support) runs marked statements like any other. PostgreSQL re-plans a prepared statement by itself
after DDL, but when another connection changes the type of a column it returns (a release's
migration while the old dynos still serve), every later run fails with "cached plan must not change
result type": outside a transaction the connection's statements are then deallocated and the
statement runs once more (a failed statement changed nothing); inside one the error stands, and
psycopg forgets its statements on the rollback.
"""

from django.db.utils import NotSupportedError

MARK = "/* prepared */ "

# SQLSTATE feature_not_supported: what PostgreSQL raises when a cached plan's result type changed.
CACHED_PLAN_CHANGED = "0A000"


def prepared(sql: str) -> str:
    """The statement marked to be prepared (when DATABASE_PREPARED_STATEMENTS is on)."""
    return MARK + sql


def run_marked_statements_prepared(execute, sql, params, many, context):
    """Django execute wrapper: a marked statement runs prepared, and again after a stale plan outside a transaction."""
    if not isinstance(sql, str) or not sql.startswith(MARK):  # psycopg's composed SQL is never marked
        return execute(sql, params, many, context)
    connection = context["connection"]
    raw = connection.connection
    unmarked_threshold = raw.prepare_threshold
    raw.prepare_threshold = 0  # prepare at once; as before for every other statement
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as error:
        stale_plan = getattr(error.__cause__, "sqlstate", None) == CACHED_PLAN_CHANGED
        if not stale_plan or not connection.get_autocommit():
            raise
        raw.execute("DEALLOCATE ALL", prepare=False)
        return execute(sql, params, many, context)
    finally:
        raw.prepare_threshold = unmarked_threshold


def install(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver (connected in InsightsConfig.ready when DATABASE_PREPARED_STATEMENTS is on)."""
    if run_marked_statements_prepared not in connection.execute_wrappers:
        connection.execute_wrappers.append(run_marked_statements_prepared)
