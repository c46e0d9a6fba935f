package io.spar.jdbc;

import io.spar.session.SparSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.apache.commons.io.input.ReaderInputStream;
import org.apache.commons.io.output.WriterOutputStream;

/**
 * PostgreSQL's COPY through a Spar connection, as pgjdbc's {@code CopyManager} offers it:
 * {@code COPY table FROM STDIN} loads a distributed table's rows into its shards, in the
 * connection's transaction, and {@code COPY table TO STDOUT} writes them out. Obtain it with
 * {@link SparConnection#getCopyAPI()}.
 */
public final class SparCopyManager {
  private final SparSession session;

  SparCopyManager(SparSession session) {
    this.session = session;
  }

  /** Runs {@code COPY … FROM STDIN} {@code sql} with the bytes of {@code from}; returns rows. */
  public long copyIn(String sql, InputStream from) throws SQLException {
    return session.copyIn(sql, from);
  }

  /** Runs {@code COPY … FROM STDIN} {@code sql} with the characters of {@code from}. */
  public long copyIn(String sql, Reader from) throws SQLException {
    try {
      return copyIn(sql, ReaderInputStream.builder().setReader(from)
          .setCharset(StandardCharsets.UTF_8).get());
    } catch (java.io.IOException e) {
      throw new SQLException("could not read COPY data: " + e.getMessage(), "58030", e);
    }
  }

  /** Runs {@code COPY … TO STDOUT} {@code sql}, writing its bytes to {@code to}. */
  public long copyOut(String sql, OutputStream to) throws SQLException {
    return session.copyOut(sql, to);
  }

  /** Runs {@code COPY … TO STDOUT} {@code sql}, writing its characters to {@code to}. */
  public long copyOut(String sql, Writer to) throws SQLException {
    try (WriterOutputStream out = WriterOutputStream.builder().setWriter(to)
        .setCharset(StandardCharsets.UTF_8).get()) {
      long rows = session.copyOut(sql, out);
      out.flush();
      return rows;
    } catch (java.io.IOException e) {
      throw new SQLException("could not write COPY data: " + e.getMessage(), "58030", e);
    }
  }
}
