<#--
  Lexing of the words that PostgreSQL lets columns be named with but that start productions of
  Calcite's grammar; see the comment on the tokens.
-->

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
