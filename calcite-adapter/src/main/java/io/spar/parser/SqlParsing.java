package io.spar.parser;

import io.spar.session.SparErrors;
import java.sql.SQLException;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parser of single SQL statements with PostgreSQL's identifier rules: unquoted names fold to
 * lower case, quoted names keep their case, and the Babel grammar accepts {@code ::} casts.
 */
public final class SqlParsing {
  /** Parser configuration shared by Spar's front end and its Calcite connection. */
  public static final SqlParser.Config CONFIG = SqlParser.config()
      .withParserFactory(SqlBabelParserImpl.FACTORY)
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
    try {
      return SqlParser.create(stripTrailingSemicolon(sql), CONFIG).parseStmt();
    } catch (SqlParseException e) {
      throw SparErrors.syntaxError(e);
    }
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
