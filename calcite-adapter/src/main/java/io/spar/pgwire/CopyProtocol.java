package io.spar.pgwire;

import io.spar.copy.CopyShape;
import io.spar.session.SparSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The COPY sub-protocol over the session's COPY: {@code FROM STDIN} answers CopyInResponse
 * and feeds the client's CopyData to the session as a stream until CopyDone (or CopyFail,
 * which fails the COPY and writes nothing); {@code TO STDOUT} answers CopyOutResponse and
 * sends the session's output as CopyData, then CopyDone.
 *
 * <p>The COPY reads the client's data by running the connection's loop ({@link
 * ConnectionLoop#pump}), whose handler hands CopyData here, past the connection's queue of
 * requests; reading from the socket pauses while too much of it waits.
 */
final class CopyProtocol {
  /** Bytes of CopyData that may wait before Spar stops reading the socket. */
  private static final int PAUSE_BYTES = 4 << 20;

  private final WireSession wire;
  private final Deque<FrontendMessage> pending = new ArrayDeque<>();
  private boolean active;
  /** Whether the client has ended its data (CopyDone or CopyFail) of the running COPY. */
  private boolean inputEnded;
  private long pendingBytes;
  private boolean ended;
  /** The reason of the client's CopyFail for the running COPY, or null. */
  private String clientFailure;

  CopyProtocol(WireSession wire) {
    this.wire = wire;
  }

  /**
   * Returns whether a COPY FROM STDIN is reading the client's messages now: it runs, and the
   * client has not yet ended its data with CopyDone or CopyFail (what follows those is the
   * client's next request).
   */
  boolean readingInput() {
    return active && !inputEnded;
  }

  /** Takes CopyData, CopyDone or CopyFail from the connection's loop during COPY FROM STDIN. */
  void offer(FrontendMessage message) {
    if (message.type() == 'c' || message.type() == 'f') {
      inputEnded = true;
    }
    pending.add(message);
    pendingBytes += message.body().length;
    if (pendingBytes > PAUSE_BYTES) {
      wire.channel().config().setAutoRead(false);
    }
  }

  /** Runs COPY statement {@code text}, answering with CommandComplete {@code COPY n}. */
  void run(StatementText text) throws SQLException {
    String sql = text.jdbc().sql();
    Optional<CopyShape> shape = CopyShape.of(sql);
    if (shape.isEmpty()) {
      // COPY with a file on the server: the session answers for it.
      long count = wire.session().execute(sql, java.util.List.of()).updateCount();
      wire.messages().commandComplete("COPY " + count);
      return;
    }
    int columns = columns(shape.get());
    long count;
    if (shape.get().from()) {
      pending.clear();
      pendingBytes = 0;
      ended = false;
      clientFailure = null;
      inputEnded = false;
      active = true;
      wire.messages().copyResponse('G', shape.get().binary(), columns);
      wire.flush();
      try (InputStream in = new ClientData()) {
        count = wire.session().copyIn(sql, in);
        drainToEnd();
      } catch (IOException e) {
        throw new SQLException(e.getMessage(), "XX000", e);
      } catch (SQLException e) {
        // Read before draining: a CopyFail after a failure of the COPY itself changes nothing.
        String failure = clientFailure;
        drainToEnd();
        if (failure != null) {
          // PostgreSQL's report of CopyFail, whatever the session made of the broken stream.
          throw new SQLException("COPY from stdin failed: " + failure, "57014", e);
        }
        throw e;
      } finally {
        active = false;
        wire.channel().config().setAutoRead(true);
      }
    } else {
      wire.messages().copyResponse('H', shape.get().binary(), columns);
      count = wire.session().copyOut(sql, new ClientOutput());
      wire.messages().copyDone();
    }
    wire.messages().commandComplete("COPY " + count);
  }

  /**
   * Returns how many columns the COPY's rows have, as CopyInResponse and CopyOutResponse tell
   * the client: those listed, the query's, or the table's that COPY takes (not the generated
   * ones). In a failed block nothing is read, and the COPY fails anyway.
   */
  private int columns(CopyShape shape) throws SQLException {
    SparSession session = wire.session();
    if (!shape.columns().isEmpty()) {
      return shape.columns().size();
    }
    if (session.transactionStatus() == 'E') {
      return 0;
    }
    if (shape.query() != null) {
      return session.describe(shape.query()).map(each -> each.columns().size()).orElse(0);
    }
    return session.lookup(coordinator -> {
      try (PreparedStatement statement = coordinator.prepareStatement("SELECT pg_catalog.count(*)"
          + " FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(?)"
          + " AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")) {
        statement.setString(1, shape.table());
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /**
   * Waits for the client's CopyDone or CopyFail after the session stopped reading (a bad row
   * fails the COPY early): PostgreSQL, too, discards the rest of the client's data.
   */
  private void drainToEnd() {
    try {
      while (next() != null) {
        // discard
      }
    } catch (IOException e) {
      // CopyFail after the failure: nothing more to report.
    }
  }

  /** Returns the next CopyData's bytes, null at CopyDone; CopyFail is an IOException. */
  private byte[] next() throws IOException {
    while (!ended) {
      FrontendMessage message = pending.poll();
      if (message == null) {
        if (wire.isClosed() || !wire.channel().isActive()) {
          throw new IOException("the client closed the connection during COPY");
        }
        wire.loop().pump(1000);
        continue;
      }
      pendingBytes -= message.body().length;
      if (pendingBytes < PAUSE_BYTES / 2) {
        wire.channel().config().setAutoRead(true);
      }
      switch (message.type()) {
        case 'd':
          return message.body();
        case 'c':
          ended = true;
          return null;
        case 'f':
          ended = true;
          String reason;
          try {
            reason = new MessageReader(message.body()).string();
          } catch (MessageReader.InvalidText | ProtocolViolation e) {
            reason = "";
          }
          clientFailure = reason;
          throw new IOException("COPY from stdin failed: " + reason);
        default:
          throw new IllegalStateException();
      }
    }
    return null;
  }

  /** The client's CopyData as one stream. */
  private final class ClientData extends InputStream {
    private byte[] chunk = new byte[0];
    private int position;
    private boolean finished;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      while (position >= chunk.length) {
        if (finished) {
          return -1;
        }
        byte[] next = next();
        if (next == null) {
          finished = true;
          return -1;
        }
        chunk = next;
        position = 0;
      }
      int n = Math.min(length, chunk.length - position);
      System.arraycopy(chunk, position, buffer, offset, n);
      position += n;
      return n;
    }
  }

  /** The session's COPY output as CopyData messages. */
  private final class ClientOutput extends OutputStream {
    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
      if (length > 0) {
        wire.messages().copyData(buffer, offset, length);
      }
    }

    @Override
    public void flush() {
      wire.flush();
    }
  }
}
