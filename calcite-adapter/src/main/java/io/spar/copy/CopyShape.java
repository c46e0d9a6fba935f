package io.spar.copy;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What a protocol layer must know of a COPY statement before it runs: which way the rows go,
 * whether they are in the binary format, and what their columns are.
 *
 * @param from whether rows come from the client ({@code FROM STDIN})
 * @param binary whether the format is binary
 * @param table the table as written, or null for {@code COPY (query) TO STDOUT}
 * @param columns the column list as written, folded; empty for every column
 * @param query the query of {@code COPY (query) TO STDOUT}, or null
 */
public record CopyShape(boolean from, boolean binary, String table, List<String> columns,
    String query) {
  /** Returns the shape of {@code sql}, empty if it is no COPY from or to the client. */
  public static Optional<CopyShape> of(String sql) throws SQLException {
    Optional<CopyStatement> statement = CopyStatement.parse(sql);
    if (statement.isEmpty()) {
      return Optional.empty();
    }
    CopyStatement copy = statement.get();
    return Optional.of(new CopyShape(copy.from(), copy.format() == CopyStatement.Format.BINARY,
        copy.table(), copy.columns(), copy.query()));
  }
}
