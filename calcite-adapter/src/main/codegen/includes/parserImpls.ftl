<#--
  Spar's additions to Calcite's Parser.jj: PostgreSQL's INSERT ... ON CONFLICT, RETURNING on
  every modification, UPDATE ... FROM and DELETE ... USING, DEFAULT in SET lists, $n
  parameters, the "::" cast and the unqualified interval type. INSERT, UPDATE and DELETE are
  Calcite's productions extended in place; the rest feed core productions through the
  template's hooks, so the remaining grammar stays Calcite's. Locking clauses are in
  lockingClauses.ftl; keywords that are names unless the text around them makes them keywords
  are lexed in pgKeywords.ftl.
-->

/**
 * Parses INSERT with PostgreSQL's additions: a target alias ("INSERT INTO t AS x"), DEFAULT
 * VALUES, ON CONFLICT and RETURNING. The rest is Calcite's SqlInsert(), which cannot be wrapped
 * here because the alias comes between the table and the column list.
 */
SqlNode SparSqlInsert() :
{
    final List<SqlLiteral> keywords = new ArrayList<SqlLiteral>();
    final SqlNodeList keywordList;
    final SqlIdentifier tableName;
    SqlNode tableRef;
    SqlIdentifier alias = null;
    SqlNodeList columnList = null;
    final Pair<SqlNodeList, SqlNodeList> p;
    final SqlNode source;
    boolean defaultValues = false;
    SqlOnConflict onConflict = null;
    SqlNodeList returning = null;
    final Span s;
}
{
    (
        <INSERT>
    |
        <UPSERT> { keywords.add(SqlInsertKeyword.UPSERT.symbol(getPos())); }
    )
    { s = span(); }
    SqlInsertKeywords(keywords) {
        keywordList = new SqlNodeList(keywords, s.addAll(keywords).pos());
    }
    <INTO> tableName = CompoundTableIdentifier()
    ( tableRef = TableHints(tableName) | { tableRef = tableName; } )
    [ LOOKAHEAD(5) tableRef = ExtendTable(tableRef) ]
    // PostgreSQL requires AS here, so the alias cannot be mistaken for anything else.
    [ <AS> alias = AliasBeforeParenthesis() ]
    [
        LOOKAHEAD(2)
        p = ParenthesizedCompoundIdentifierList() {
            if (!p.right.isEmpty()) {
                tableRef = extend(tableRef, p.right);
            }
            if (!p.left.isEmpty()) {
                columnList = p.left;
            }
        }
    ]
    (
        // The source of DEFAULT VALUES is an empty list spanning the two keywords.
        // "values" not followed by "(" is lexed as a name (see pgKeywords.ftl).
        <DEFAULT_> { final Span d = span(); }
        (
            <VALUES>
        |
            LOOKAHEAD({ getToken(1).kind == IDENTIFIER
                && getToken(1).image.equalsIgnoreCase("VALUES") })
            <IDENTIFIER>
        ) {
            source = new SqlNodeList(d.end(this));
            defaultValues = true;
        }
    |
        source = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    )
    [ onConflict = OnConflictClause() ]
    [ returning = ReturningClause() ]
    {
        return new SparSqlInsert(s.end(this), keywordList, tableRef, alias, source, columnList,
            defaultValues, onConflict, returning);
    }
}

/**
 * Parses a name that a parenthesis may follow: a simple identifier, or one of the words that
 * the lexer makes keywords before "(" (see pgKeywords.ftl).
 */
SqlIdentifier AliasBeforeParenthesis() :
{
    final SqlIdentifier id;
}
{
    (
        id = SimpleIdentifier() { return id; }
    |
        ( <EXISTS> | <GROUPING> | <ROLLUP> | <VALUES> )
        { return new SqlIdentifier(unquotedIdentifier(), getPos()); }
    )
}

/**
 * Parses UPDATE with PostgreSQL's additions to Calcite's SqlUpdate(): DEFAULT as a value,
 * "SET (a, b) = (x, y)" (kept as the separate assignments it means), "FROM other" and
 * RETURNING.
 */
SqlNode SparSqlUpdate() :
{
    final SqlIdentifier tableName;
    SqlNode tableRef;
    SqlIdentifier alias = null;
    final SqlNodeList targetColumnList;
    final SqlNodeList sourceExpressionList;
    SqlNode from = null;
    SqlNode where = null;
    SqlNodeList returning = null;
    final Span s;
}
{
    <UPDATE> {
        s = span();
        targetColumnList = new SqlNodeList(s.pos());
        sourceExpressionList = new SqlNodeList(s.pos());
    }
    tableName = CompoundTableIdentifier()
    ( tableRef = TableHints(tableName) | { tableRef = tableName; } )
    // Unlike Calcite, no EXTEND: PostgreSQL has none, and "extend" may then be an alias.
    // SET is a name too, but as in PostgreSQL it is an alias only after AS.
    [
        <AS> alias = SimpleIdentifier()
    |
        LOOKAHEAD(1, { getToken(1).kind != SET }) alias = SimpleIdentifier()
    ]
    <SET> UpdateAssignment(targetColumnList, sourceExpressionList)
    ( <COMMA> UpdateAssignment(targetColumnList, sourceExpressionList) )*
    [ <FROM> from = FromClause() ]
    [ where = Where() ]
    [ returning = ReturningClause() ]
    {
        return new SparSqlUpdate(s.end(this), tableRef, targetColumnList, sourceExpressionList,
            where, alias, from, returning);
    }
}

/**
 * Parses one assignment of an UPDATE's SET list, "column = value" or "(a, b) = (x, y)",
 * adding its columns and values to the two lists.
 */
void UpdateAssignment(SqlNodeList targets, SqlNodeList values) :
{
    SqlIdentifier id;
}
{
    id = CompoundIdentifier() { targets.add(id); }
    <EQ> UpdateValue(values)
|
    <LPAREN> id = CompoundIdentifier() { targets.add(id); }
    ( <COMMA> id = CompoundIdentifier() { targets.add(id); } )*
    <RPAREN> <EQ> [ <ROW> ] <LPAREN>
    UpdateValue(values)
    ( <COMMA> UpdateValue(values) )*
    <RPAREN> {
        if (values.size() != targets.size()) {
            throw new ParseException("number of columns does not match number of values");
        }
    }
}

/** Parses a value in an UPDATE's SET list: an expression or DEFAULT. */
void UpdateValue(SqlNodeList values) :
{
    final SqlNode e;
}
{
    e = Default() { values.add(e); }
|
    AddExpression(values, ExprContext.ACCEPT_SUB_QUERY)
}

/**
 * Parses DELETE with PostgreSQL's USING list and RETURNING clause. RETURNING and USING are
 * reserved, so neither can be taken for the optional table alias.
 */
SqlNode SparSqlDelete() :
{
    final Span s;
    final SqlIdentifier tableName;
    SqlNode table;
    SqlIdentifier alias = null;
    SqlNode using = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <DELETE> { s = span(); }
    <FROM> tableName = CompoundTableIdentifier()
    ( table = TableHints(tableName) | { table = tableName; } )
    [ [ <AS> ] alias = SimpleIdentifier() ]
    [ <USING> using = FromClause() ]
    [ where = Where() ]
    [ returning = ReturningClause() ]
    {
        return new SparSqlDelete(s.end(this), table, where, alias, using, returning);
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
        UpdateAssignment(targets, values)
        ( <COMMA> UpdateAssignment(targets, values) )*
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
 * Parses the right side of PostgreSQL's "expression::type" cast, where the type may be an
 * array type written "type[]" (or "type[n]", whose bound PostgreSQL ignores too). The cast
 * takes the position of its "::", so that the expression's span is its operand's and its
 * type's.
 */
void InfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    SqlDataTypeSpec type;
    final SqlParserPos pos;
}
{
    <INFIX_CAST> { checkNonQueryExpression(exprContext); pos = getPos(); }
    (
        // INTERVAL followed by fields ("INTERVAL DAY") is left to Calcite. A helper method
        // cannot be used here: JAVACODE methods throw ParseException, which lookahead cannot.
        LOOKAHEAD({ getToken(1).kind == INTERVAL
            && !getToken(2).image.matches("(?i)(YEAR|QUARTER|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?") })
        type = PgIntervalType()
    |
        type = DataType()
    )
    (
        <LBRACKET> [ <UNSIGNED_INTEGER_LITERAL> ] <RBRACKET>
        {
            type = new SqlDataTypeSpec(new SqlCollectionTypeNameSpec(type.getTypeNameSpec(),
                SqlTypeName.ARRAY, getPos()), getPos());
        }
    )*
    {
        list.add(new SqlParserUtil.ToTreeListItem(SqlLibraryOperators.INFIX_CAST, pos));
        list.add(type);
    }
}

/**
 * Parses "CAST(x AS type)" as Calcite does, and also "CAST(x AS interval)", PostgreSQL's
 * interval without fields. Calcite's own CAST cannot be extended, but literals are tried
 * before it, so this production (listed among the literal methods) takes every CAST.
 */
SqlNode PgCast() :
{
    final Span s;
    final List<SqlNode> args = new ArrayList<SqlNode>();
    final SqlDataTypeSpec type;
    final SqlIntervalQualifier qualifier;
    final SqlNode format;
}
{
    <CAST> { s = span(); }
    <LPAREN> AddExpression(args, ExprContext.ACCEPT_SUB_QUERY)
    <AS>
    (
        // As in InfixCast: INTERVAL with fields is Calcite's interval type.
        LOOKAHEAD({ getToken(1).kind == INTERVAL
            && !getToken(2).image.matches("(?i)(YEAR|QUARTER|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?") })
        type = PgIntervalType() { args.add(type); }
    |
        type = DataType() { args.add(type); }
    |
        <INTERVAL> qualifier = IntervalQualifier() { args.add(qualifier); }
    )
    [ <FORMAT> format = StringLiteral() { args.add(format); } ]
    <RPAREN> {
        return SqlStdOperatorTable.CAST.createCall(s.end(this), args);
    }
}

/**
 * Parses PostgreSQL's "interval" type name (with no fields), as a user-defined type named
 * "interval" for the Calcite schema to resolve.
 */
SqlDataTypeSpec PgIntervalType() :
{
}
{
    <INTERVAL> {
        final SqlParserPos pos = getPos();
        return new SqlDataTypeSpec(
            new SqlUserDefinedTypeNameSpec(new SqlIdentifier("interval", pos), pos), pos);
    }
}

/**
 * Parses "INTERVAL 'text'", lexed as one token, followed by optional fields. With fields it
 * is Calcite's interval literal; without, it is PostgreSQL's ("interval '1 day'"), which
 * becomes CAST('text' AS interval) spanning the whole literal.
 */
SqlNode PgIntervalLiteral() :
{
    final Token literal;
    final SqlIntervalQualifier qualifier;
}
{
    <PG_INTERVAL_LITERAL> { literal = token; }
    (
        LOOKAHEAD(1)
        qualifier = IntervalQualifier() {
            return SqlParserUtil.parseIntervalLiteral(
                Span.of(new SqlParserPos(literal.beginLine, literal.beginColumn,
                    literal.endLine, literal.endColumn)).add(qualifier).pos(),
                1, pgIntervalText(literal.image), qualifier);
        }
    |
        {
            final SqlParserPos pos = new SqlParserPos(literal.beginLine, literal.beginColumn,
                literal.endLine, literal.endColumn);
            final SqlParserPos textPos = pgIntervalTextPos(literal);
            return SqlStdOperatorTable.CAST.createCall(pos,
                SqlLiteral.createCharString(pgIntervalText(literal.image), textPos),
                new SqlDataTypeSpec(new SqlUserDefinedTypeNameSpec(
                    new SqlIdentifier("interval", pos), pos), pos));
        }
    )
}

/** Returns the value of the quoted string that ends a PG_INTERVAL_LITERAL token's image. */
JAVACODE String pgIntervalText(String image) {
    final String quoted = image.substring(image.indexOf('\''));
    return quoted.substring(1, quoted.length() - 1).replace("''", "'");
}

/** Returns the position of the quoted string inside a PG_INTERVAL_LITERAL token. */
JAVACODE SqlParserPos pgIntervalTextPos(Token literal) {
    int line = literal.beginLine;
    int column = literal.beginColumn;
    final int quote = literal.image.indexOf('\'');
    for (int i = 0; i < quote; i++) {
        if (literal.image.charAt(i) == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    return new SqlParserPos(line, column, literal.endLine, literal.endColumn);
}

/*
 * Declared here, ahead of Calcite's IDENTIFIER, so that "$1" is a parameter rather than an
 * identifier of the same length ("$" may start an identifier in Calcite's lexer).
 */
<DEFAULT, DQID, BTID, BQID> TOKEN :
{
    < DOLLAR_PARAM: "$" (["0"-"9"])+ >
    // "interval '1 day'" is one token so that PgIntervalLiteral() is reached at all: as two
    // tokens it would go to Calcite's interval literal, which requires fields. Being longer than
    // INTERVAL, it wins wherever a quoted string follows the keyword.
|   < PG_INTERVAL_LITERAL: "INTERVAL" ([" ", "\t", "\n", "\r", "\f"])*
        "'" ( (~["'"]) | ("''") )* "'" >
|   < NEGATE: "!" >
|   < TILDE: "~" >
}
