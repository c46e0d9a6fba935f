<#--
  PostgreSQL's locking clauses after a query statement: SELECT ... FOR UPDATE | NO KEY UPDATE |
  SHARE | KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED], and FOR READ ONLY.
-->

/**
 * Parses a query as a statement, with PostgreSQL's locking clauses ("FOR UPDATE OF t NOWAIT",
 * ...) after it. As in PostgreSQL, LIMIT, OFFSET and FETCH may come before or after them;
 * after them they are added to the query. Without locking clauses the query is returned as
 * Calcite's OrderedQueryOrExpr() parsed it; with them it is wrapped in a SparSqlLockedQuery.
 * "FOR READ ONLY" locks nothing and leaves the query unwrapped.
 */
SqlNode SparSqlQuery() :
{
    SqlNode query;
    final List<SqlNode> clauses = new ArrayList<SqlNode>();
    final Span s;
}
{
    (
        // Only what starts a query: with names such as "reset" and "set" non-reserved, two
        // tokens of lookahead would take "RESET x" and "SET x = 1" for queries too.
        LOOKAHEAD({ getToken(1).kind == SELECT || getToken(1).kind == WITH
            || getToken(1).kind == VALUES || getToken(1).kind == TABLE
            || getToken(1).kind == LPAREN })
        query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY) { s = Span.of(query); }
    |
        // Never taken; it makes the guard above a choice, which lookahead evaluates too.
        LOOKAHEAD({ false }) <FOR_LOCKING> { throw new AssertionError(); }
    )
    [
        (
            LOOKAHEAD(2) <FOR_LOCKING> <READ> <ONLY>
        |
            ( LockingClause(clauses) )+
        )
        [
            // PostgreSQL takes one LIMIT: a second one is a syntax error at "limit".
            LOOKAHEAD(1, { !SparQueries.hasOffsetOrFetch(query) })
            query = LimitAfterLockingClauses(query)
        ]
    ]
    {
        if (clauses.isEmpty()) {
            return query;
        }
        final SqlNodeList clauseList = new SqlNodeList(clauses, Span.of(clauses).pos());
        return new SparSqlLockedQuery(s.end(this), query, clauseList);
    }
}

/**
 * Parses one locking clause, "FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF table, ...]
 * [NOWAIT | SKIP LOCKED]", and adds it to a list.
 */
void LockingClause(List<SqlNode> clauses) :
{
    final Span s;
    final SqlLockingClause.Strength strength;
    final List<SqlNode> tables = new ArrayList<SqlNode>();
    SqlIdentifier table;
    SqlLockingClause.WaitPolicy waitPolicy = SqlLockingClause.WaitPolicy.WAIT;
}
{
    <FOR_LOCKING> { s = span(); }
    (
        <UPDATE> { strength = SqlLockingClause.Strength.UPDATE; }
    |
        <NO> <KEY> <UPDATE> { strength = SqlLockingClause.Strength.NO_KEY_UPDATE; }
    |
        <SHARE> { strength = SqlLockingClause.Strength.SHARE; }
    |
        <KEY> <SHARE> { strength = SqlLockingClause.Strength.KEY_SHARE; }
    )
    [
        <OF> table = CompoundIdentifier() { tables.add(table); }
        ( <COMMA> table = CompoundIdentifier() { tables.add(table); } )*
    ]
    [
        <NOWAIT> { waitPolicy = SqlLockingClause.WaitPolicy.NOWAIT; }
    |
        <SKIP_> <LOCKED> { waitPolicy = SqlLockingClause.WaitPolicy.SKIP_LOCKED; }
    ]
    {
        final SqlNodeList tableList = tables.isEmpty() ? null
            : new SqlNodeList(tables, Span.of(tables).pos());
        clauses.add(new SqlLockingClause(s.end(this), strength, tableList, waitPolicy));
    }
}

/**
 * Parses LIMIT, OFFSET or FETCH after locking clauses and returns {@code query} with them
 * added, as OrderByLimitOpt() would have before the clauses.
 */
SqlNode LimitAfterLockingClauses(SqlNode query) :
{
    final Span s = Span.of();
    final SqlNode[] offsetFetch = {null, null};
}
{
    (
        LimitClause(s, offsetFetch)
        [ OffsetClause(s, offsetFetch) ]
    |
        OffsetClause(s, offsetFetch)
        [ LimitClause(s, offsetFetch) | FetchClause(offsetFetch) ]
    |
        FetchClause(offsetFetch)
    )
    {
        if (query instanceof SqlOrderBy) {
            final SqlOrderBy ordered = (SqlOrderBy) query;
            return new SqlOrderBy(Span.of(query).end(this), ordered.query, ordered.orderList,
                offsetFetch[0], offsetFetch[1]);
        }
        return new SqlOrderBy(Span.of(query).end(this), query, SqlNodeList.EMPTY,
            offsetFetch[0], offsetFetch[1]);
    }
}
