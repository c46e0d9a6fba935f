package io.spar.engine.operations;

import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a shard table's rows from one node to another with COPY.
 *
 * <p>{@code COPY ... TO STDOUT} on the source and {@code COPY ... FROM STDIN} on the target run
 * at the same time on two connections, and each chunk read from the one is written to the
 * other at once, so memory use does not grow with the table. Text format is used because
 * every type has a text form, while binary input is optional for user-defined types.
 */
final class ShardCopy {
  private static final Logger LOG = LoggerFactory.getLogger(ShardCopy.class);

  private ShardCopy() {
  }

  /**
   * Copies every row of {@code table} on {@code source} into the same-named table on
   * {@code target}, within whatever transaction each connection has open, and returns the
   * number of rows copied.
   */
  static long stream(Connection source, Connection target, TableName table) throws SQLException {
    return stream(source, "COPY " + table.quoted() + " TO STDOUT", target,
        "COPY " + table.quoted() + " FROM STDIN");
  }

  /**
   * Streams the rows of {@code copyOut} on {@code source} into {@code copyIn} on
   * {@code target}, and returns the number of rows copied.
   */
  static long stream(Connection source, String copyOut, Connection target, String copyIn)
      throws SQLException {
    CopyOut out = source.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOut);
    CopyIn in = null;
    try {
      in = target.unwrap(PGConnection.class).getCopyAPI().copyIn(copyIn);
      for (byte[] chunk = out.readFromCopy(); chunk != null; chunk = out.readFromCopy()) {
        in.writeToCopy(chunk, 0, chunk.length);
      }
      long written = in.endCopy();
      if (written != out.getHandledRowCount()) {
        throw new SQLException("copied " + written + " rows (" + copyIn + ") but read "
            + out.getHandledRowCount(), "XX000");
      }
      return written;
    } finally {
      // Only on failure is a copy still active; ending it keeps the connections usable.
      cancelQuietly(out);
      cancelQuietly(in);
    }
  }

  private static void cancelQuietly(CopyOperation copy) {
    if (copy == null || !copy.isActive()) {
      return;
    }
    try {
      copy.cancelCopy();
    } catch (SQLException e) {
      LOG.debug("could not cancel an unfinished COPY: {}", e.getMessage());
    }
  }
}
