package io.spar.copy;

import java.sql.SQLException;
import java.util.Optional;

/**
 * What a protocol layer must know of a COPY statement before it runs: which way the rows go
 * and whether they are in the binary format.
 *
 * @param from whether rows come from the client ({@code FROM STDIN})
 * @param binary whether the format is binary
 */
public record CopyShape(boolean from, boolean binary) {
  /** Returns the shape of {@code sql}, empty if it is no COPY from or to the client. */
  public static Optional<CopyShape> of(String sql) throws SQLException {
    Optional<CopyStatement> statement = CopyStatement.parse(sql);
    if (statement.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new CopyShape(statement.get().from(),
        statement.get().format() == CopyStatement.Format.BINARY));
  }
}
