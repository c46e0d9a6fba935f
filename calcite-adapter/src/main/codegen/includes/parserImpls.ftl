<#--
  Spar's additions to Calcite's Parser.jj: PostgreSQL's INSERT ... ON CONFLICT, RETURNING on
  every modification, UPDATE ... FROM and DELETE ... USING, DEFAULT in SET lists, locking
  clauses (FOR UPDATE ...), $n parameters, the "::" cast, the unqualified interval type, and
  keywords that are names unless the next words make them keywords. INSERT, UPDATE and DELETE
  are Calcite's productions extended in place; the rest feed core productions through the
  template's hooks, so the remaining grammar stays Calcite's.
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
        // "values" not followed by "(" is lexed as a name (see the tokens below).
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
 * the lexer makes keywords before "(" (see the tokens below).
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
 * Parses the right side of PostgreSQL's "expression::type" cast.
 */
void InfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlDataTypeSpec type;
}
{
    <INFIX_CAST> { checkNonQueryExpression(exprContext); }
    (
        // INTERVAL followed by fields ("INTERVAL DAY") is left to Calcite. A helper method
        // cannot be used here: JAVACODE methods throw ParseException, which lookahead cannot.
        LOOKAHEAD({ getToken(1).kind == INTERVAL
            && !getToken(2).image.matches("(?i)(YEAR|QUARTER|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?") })
        type = PgIntervalType()
    |
        type = DataType()
    )
    {
        list.add(new SqlParserUtil.ToTreeListItem(SqlLibraryOperators.INFIX_CAST, s.pos()));
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

/*
 * Words that PostgreSQL lets users name columns with, but that start productions Calcite tries
 * before identifiers with one token of lookahead ("sum(value)" would start VALUE (row), "x, cube"
 * a CUBE grouping, "unknown" is Calcite's UNKNOWN literal). Declared ahead of Calcite's
 * keywords, these lex as plain identifiers; where the text around one makes it a keyword, a
 * longer token matches instead and ContextKeywords splits it back into the keywords alone, so
 * the parser sees the tokens it always did. Calcite's own tokens for these words are never
 * produced (JavaCC warns that they "cannot be matched"); the uses lost are VALUE (row), NEXT
 * VALUE FOR and JSON's KEY k VALUE v, which PostgreSQL 15 does not have. A comment between such
 * a word and what makes it a keyword is a gap too.
 *
 * Names lost: a FROM-clause alias or WITH name spelled exists, grouping, rollup or values and
 * followed by a column list ("FROM t AS values (a)") reads as the keyword, a syntax error
 * (INSERT's alias is parsed by AliasBeforeParenthesis()).
 */
<DEFAULT, DQID, BTID, BQID> TOKEN :
{
    < PG_NAME_WORD: "EXISTS" | "GROUPING" | "INTERVAL" | "PARTITION" | "ROLLUP" | "UNKNOWN"
        | "VALUE" | "VALUES" | "CUBE" >
        { matchedToken.kind = IDENTIFIER; }
|   < #PG_GAP: [" ", "\t", "\n", "\r", "\f"]
        | "--" (~["\n", "\r"])* ["\n", "\r"]
        | "/*" (~["*"])* "*" ("*" | ~["*", "/"] (~["*"])* "*")* "/" >
    // A character that cannot continue a word, so that "partition bytes" is no PARTITION BY.
|   < #PG_WORD_END: ~["a"-"z", "A"-"Z", "0"-"9", "_", "$", "\u0080"-"\uffff"] >
|   < PG_EXISTS_KEYWORD: "EXISTS" (<PG_GAP>)* "(" >
        { ContextKeywords.keywords(matchedToken, input_stream, EXISTS); }
|   < PG_VALUES_KEYWORD: "VALUES" (<PG_GAP>)* "(" >
        { ContextKeywords.keywords(matchedToken, input_stream, VALUES); }
|   < PG_CUBE_KEYWORD: "CUBE" (<PG_GAP>)* "(" >
        { ContextKeywords.keywords(matchedToken, input_stream, CUBE); }
|   < PG_ROLLUP_KEYWORD: "ROLLUP" (<PG_GAP>)* "(" >
        { ContextKeywords.keywords(matchedToken, input_stream, ROLLUP); }
|   < PG_GROUPING_KEYWORD: "GROUPING" ((<PG_GAP>)* "(" | (<PG_GAP>)+ "SETS" <PG_WORD_END>) >
        { ContextKeywords.keywords(matchedToken, input_stream, GROUPING); }
|   < PG_PARTITION_KEYWORD: "PARTITION" (<PG_GAP>)+ "BY" <PG_WORD_END> >
        { ContextKeywords.keywords(matchedToken, input_stream, PARTITION); }
    // "x IS [NOT] UNKNOWN"; elsewhere "unknown" is a column, not Calcite's UNKNOWN literal.
|   < PG_IS_UNKNOWN: "IS" (<PG_GAP>)+ "UNKNOWN" >
        { ContextKeywords.keywords(matchedToken, input_stream, IS, UNKNOWN); }
|   < PG_IS_NOT_UNKNOWN: "IS" (<PG_GAP>)+ "NOT" (<PG_GAP>)+ "UNKNOWN" >
        { ContextKeywords.keywords(matchedToken, input_stream, IS, NOT, UNKNOWN); }
    // FOR that starts a locking clause; as FOR, a table's "FOR SYSTEM_TIME AS OF" (which
    // PostgreSQL does not have) would be tried first and fail. No word end is required, since
    // the clause may end the statement; so "substring(s from 1 for updated)" must quote the
    // column, or it is a syntax error.
|   < FOR_LOCKING: "FOR" (<PG_GAP>)+ ("UPDATE" | "NO" (<PG_GAP>)+ "KEY" (<PG_GAP>)+ "UPDATE"
        | "SHARE" | "KEY" (<PG_GAP>)+ "SHARE" | "READ" (<PG_GAP>)+ "ONLY") >
        { ContextKeywords.keywords(matchedToken, input_stream, FOR_LOCKING); }
    // Interval types with fields ("CAST(x AS interval day)"); "interval 'text'" is
    // PG_INTERVAL_LITERAL.
    // No word end is required, because the type may end the statement.
|   < PG_INTERVAL_KEYWORD: "INTERVAL" (<PG_GAP>)+
        ("YEAR" | "QUARTER" | "MONTH" | "WEEK" | "DAY" | "HOUR" | "MINUTE" | "SECOND") >
        { ContextKeywords.keywords(matchedToken, input_stream, INTERVAL); }
}
