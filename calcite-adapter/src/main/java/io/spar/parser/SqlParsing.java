package io.spar.parser;

import io.spar.parser.impl.SparSqlParserImpl;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parser of single SQL statements with PostgreSQL's lexical rules and Spar's grammar.
 *
 * <p>Unquoted names fold to lower case and quoted names keep their case. The grammar
 * ({@link SparSqlParserImpl}) is Calcite's with Babel's conformance plus PostgreSQL's
 * {@code ON CONFLICT}, {@code RETURNING}, {@code INSERT INTO t AS x}, {@code DEFAULT VALUES},
 * {@code DEFAULT} and {@code (a, b) = (x, y)} in SET lists, {@code UPDATE ... FROM},
 * {@code DELETE ... USING}, locking clauses ({@code FOR UPDATE}, see {@link SparSqlLockedQuery}),
 * {@code $n} parameters, {@code ::} casts, the {@code interval} type and literal without fields,
 * and every word PostgreSQL lets a column be named ({@code date}, {@code value},
 * {@code partition}, ...) as a name.
 */
public final class SqlParsing {
  /** Parser configuration shared by Spar's front end and its Calcite connection. */
  public static final SqlParser.Config CONFIG = SqlParser.config()
      .withParserFactory(SparSqlParserImpl.FACTORY)
      .withConformance(SqlConformanceEnum.BABEL)
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withUnquotedCasing(Casing.TO_LOWER)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(true)
      .withIdentifierMaxLength(63);

  private SqlParsing() {
  }

  /**
   * Parses one statement.
   *
   * @throws SQLException with SQLState 42601 and a message that starts with {@code syntax error}
   */
  public static SqlNode parse(String sql) throws SQLException {
    String text = stripTrailingSemicolon(sql);
    LimitParameters limits = LimitParameters.of(text);
    SqlNode statement;
    try {
      statement = limits.renumber(SqlParser.create(limits.forParser(), CONFIG).parseStmt());
    } catch (SqlParseException e) {
      throw SparErrors.syntaxError(e);
    }
    ParameterStyles.check(statement, text);
    return statement;
  }

  /** Returns the text that {@link #parse} parses, whose positions the parse tree records. */
  public static String parsedText(String sql) {
    return stripTrailingSemicolon(sql);
  }

  private static String stripTrailingSemicolon(String sql) {
    String trimmed = sql.stripTrailing();
    return trimmed.endsWith(";") ? trimmed.substring(0, trimmed.length() - 1) : sql;
  }
}
