<#--
  Spar's additions to Calcite's Parser.jj: PostgreSQL's INSERT ... ON CONFLICT, RETURNING on
  every modification, $n parameters and the "::" cast. Each production wraps or feeds a core
  production rather than replacing it, so the rest of the grammar stays Calcite's.
-->

/**
 * Parses INSERT followed by PostgreSQL's optional ON CONFLICT and RETURNING clauses.
 */
SqlNode SparSqlInsert() :
{
    final SqlNode node;
    final SqlInsert insert;
    SqlOnConflict onConflict = null;
    SqlNodeList returning = null;
}
{
    node = SqlInsert() { insert = (SqlInsert) node; }
    [ onConflict = OnConflictClause() ]
    [ returning = ReturningClause() ]
    {
        return new SparSqlInsert(Span.of(insert).end(this),
            (SqlNodeList) insert.getOperandList().get(0), insert.getTargetTable(),
            insert.getSource(), insert.getTargetColumnList(), onConflict, returning);
    }
}

/**
 * Parses UPDATE followed by an optional RETURNING clause.
 */
SqlNode SparSqlUpdate() :
{
    final SqlNode node;
    final SqlUpdate update;
    SqlNodeList returning = null;
}
{
    node = SqlUpdate() { update = (SqlUpdate) node; }
    [ returning = ReturningClause() ]
    {
        return new SparSqlUpdate(Span.of(update).end(this), update.getTargetTable(),
            update.getTargetColumnList(), update.getSourceExpressionList(),
            update.getCondition(), update.getAlias(), returning);
    }
}

/**
 * Parses DELETE with an optional RETURNING clause. It cannot wrap Calcite's SqlDelete like
 * the other two: RETURNING is non-reserved in Calcite (and the 1.42 template offers no way
 * to reserve it), so Calcite's optional table alias would swallow it.
 */
SqlNode SparSqlDelete() :
{
    final Span s;
    final SqlIdentifier tableName;
    SqlNode table;
    SqlIdentifier alias = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <DELETE> { s = span(); }
    <FROM> tableName = CompoundTableIdentifier()
    ( table = TableHints(tableName) | { table = tableName; } )
    [
        LOOKAHEAD(1, { getToken(1).kind != RETURNING })
        [ <AS> ] alias = SimpleIdentifier()
    ]
    [ where = Where() ]
    [ returning = ReturningClause() ]
    {
        return new SparSqlDelete(s.end(this), table, where, alias, returning);
    }
}

/**
 * Parses "ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]". The target is
 * either index columns with an optional index predicate, or "ON CONSTRAINT name".
 */
SqlOnConflict OnConflictClause() :
{
    final Span s;
    SqlNodeList columns = null;
    SqlNode indexPredicate = null;
    SqlIdentifier constraint = null;
    final SqlNodeList targets;
    final SqlNodeList values;
    SqlIdentifier target;
    SqlNode condition = null;
}
{
    <ON> { s = span(); } <CONFLICT>
    [
        columns = ParenthesizedSimpleIdentifierList()
        [ indexPredicate = Where() ]
    |
        <ON> <CONSTRAINT> constraint = SimpleIdentifier()
    ]
    <DO>
    (
        <NOTHING> {
            return new SqlOnConflict(s.end(this), columns, indexPredicate, constraint,
                null, null, null);
        }
    |
        <UPDATE> <SET> {
            targets = new SqlNodeList(getPos());
            values = new SqlNodeList(getPos());
        }
        target = CompoundIdentifier() { targets.add(target); }
        <EQ> AddExpression(values, ExprContext.ACCEPT_SUB_QUERY)
        (
            <COMMA>
            target = CompoundIdentifier() { targets.add(target); }
            <EQ> AddExpression(values, ExprContext.ACCEPT_SUB_QUERY)
        )*
        [ condition = Where() ]
        {
            return new SqlOnConflict(s.end(this), columns, indexPredicate, constraint,
                targets, values, condition);
        }
    )
}

/**
 * Parses "RETURNING item, ..." where items are written as in a select list.
 */
SqlNodeList ReturningClause() :
{
    final Span s;
    final List<SqlNode> items = new ArrayList<SqlNode>();
}
{
    <RETURNING> { s = span(); }
    AddSelectItem(items)
    ( <COMMA> AddSelectItem(items) )*
    {
        return new SqlNodeList(items, s.end(this));
    }
}

/**
 * Parses a PostgreSQL positional parameter; "$1" is the first, so its index is 0.
 */
SqlNode PositionalParam() :
{
}
{
    <DOLLAR_PARAM> {
        final int number = Integer.parseInt(token.image.substring(1));
        if (number < 1) {
            throw new ParseException("there is no parameter " + token.image);
        }
        return new SqlDynamicParam(number - 1, getPos());
    }
}

/**
 * Parses the right side of PostgreSQL's "expression::type" cast.
 */
void InfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlDataTypeSpec type;
}
{
    <INFIX_CAST> { checkNonQueryExpression(exprContext); }
    type = DataType() {
        list.add(new SqlParserUtil.ToTreeListItem(SqlLibraryOperators.INFIX_CAST, s.pos()));
        list.add(type);
    }
}

/*
 * Declared here, ahead of Calcite's IDENTIFIER, so that "$1" is a parameter rather than an
 * identifier of the same length ("$" may start an identifier in Calcite's lexer).
 */
<DEFAULT, DQID, BTID, BQID> TOKEN :
{
    < DOLLAR_PARAM: "$" (["0"-"9"])+ >
|   < NEGATE: "!" >
|   < TILDE: "~" >
}
