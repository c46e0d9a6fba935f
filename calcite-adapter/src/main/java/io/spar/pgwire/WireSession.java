package io.spar.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.spar.engine.execution.ValueForm;
import io.spar.session.SparSession;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the PostgreSQL port, on its own thread ({@link ConnectionLoop}):
 * the startup and
 * authentication exchange ({@link Startup}), then the simple ({@link SimpleQuery}) and
 * extended ({@link ExtendedQuery}) query protocols over one {@link SparSession}, with
 * ReadyForQuery reporting the session's transaction status and ParameterStatus reporting the
 * settings clients track.
 */
final class WireSession implements ConnectionLoop.Work {
  private static final Logger LOG = LoggerFactory.getLogger(WireSession.class);
  /** Settings reported with ParameterStatus, as PostgreSQL reports them (GUC_REPORT). */
  static final List<String> REPORTED = List.of("server_version", "server_encoding",
      "client_encoding", "application_name", "default_transaction_read_only", "in_hot_standby",
      "is_superuser", "session_authorization", "DateStyle", "IntervalStyle", "TimeZone",
      "integer_datetimes", "standard_conforming_strings");

  private final Channel channel;
  private final PgWireServer server;
  private final BackendMessages messages;
  private final Inbox inbox = new Inbox();
  private final Startup startup;
  private final SimpleQuery simple;
  private final ExtendedQuery extended;
  private final CopyProtocol copy;
  private final Map<String, String> reported = new LinkedHashMap<>();
  /** Messages sent since the last flush. */
  private volatile SparSession session;
  /** Whether a statement may have changed a reported setting that the client was not told. */
  private boolean settingsStale;
  private volatile boolean closed;

  WireSession(Channel channel, PgWireServer server) {
    this.channel = channel;
    this.server = server;
    this.messages = new BackendMessages(channel.alloc());
    this.startup = new Startup(this);
    this.simple = new SimpleQuery(this);
    this.extended = new ExtendedQuery(this);
    this.copy = new CopyProtocol(this);
  }

  Inbox inbox() {
    return inbox;
  }

  /** Returns the loop of the connection's thread, to wait on the client with. */
  ConnectionLoop loop() {
    return (ConnectionLoop) channel.eventLoop();
  }

  PgWireServer server() {
    return server;
  }

  BackendMessages messages() {
    return messages;
  }

  Channel channel() {
    return channel;
  }

  CopyProtocol copy() {
    return copy;
  }

  ExtendedQuery extended() {
    return extended;
  }

  /** Returns the session, once the client is authenticated. */
  SparSession session() {
    return session;
  }

  /** Starts serving the authenticated client with a session of its own. */
  void open(SparSession opened) {
    opened.connections().setValueForm(ValueForm.TEXT);
    this.session = opened;
    MessageFraming framing = channel.pipeline().get(MessageFraming.class);
    if (framing != null) {
      framing.authenticated();
    }
  }

  @Override
  public void runQueued() {
    FrontendMessage next;
    while ((next = inbox.poll()) != null) {
      if (!channel.config().isAutoRead() && inbox.waiting() <= WireChannel.MAX_WAITING / 2) {
        channel.config().setAutoRead(true);
      }
      handle(next);
    }
  }

  private void handle(FrontendMessage message) {
    if (closed) {
      return;
    }
    try {
      if (session == null) {
        startup.handle(message);
        return;
      }
      switch (message.type()) {
        case 'Q' -> simple.run(message.body());
        case 'P', 'B', 'D', 'E', 'C', 'H', 'S' -> extended.handle(message);
        case 'X' -> close();
        case 'd', 'c', 'f' -> {
          // Outside COPY, PostgreSQL ignores them too.
        }
        case 'F' -> {
          error(ErrorResponses.basic("ERROR", "0A000",
              "the function call protocol is not supported"));
          readyForQuery();
        }
        default -> fatal("08P01", "invalid frontend message type " + (message.type() & 0xff));
      }
    } catch (ProtocolViolation e) {
      fatal("08P01", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Closing a PostgreSQL connection after an unexpected failure", e);
      fatal("XX000", "internal error: " + e);
    }
  }

  // Output ------------------------------------------------------------------------------------

  /**
   * Sends what was written, and waits until the socket has taken it all, as a PostgreSQL
   * backend's blocking write waits: a client that reads slower than Spar writes holds a large
   * result back, and it never piles up in memory.
   */
  void flush() {
    ByteBuf written = messages.take();
    if (written == null) {
      channel.flush();
    } else {
      channel.writeAndFlush(written, channel.voidPromise());
    }
    ChannelOutboundBuffer unwritten = channel.unsafe().outboundBuffer();
    while (channel.isActive() && unwritten != null && unwritten.totalPendingWriteBytes() > 0) {
      loop().pump(1000);
    }
  }

  void error(Map<Character, String> fields) {
    messages.report('E', fields);
  }

  void error(SQLException e) {
    error(ErrorResponses.of(e));
  }

  void notices(List<SQLWarning> warnings) {
    for (SQLWarning each : warnings) {
      messages.report('N', ErrorResponses.of(each));
    }
  }

  /** Sends ReadyForQuery with the session's transaction status, and flushes. */
  void readyForQuery() {
    char status = session == null ? 'I' : session.transactionStatus();
    if (settingsStale && status != 'E') {
      try {
        reportSettings();
      } catch (SQLException e) {
        error(e);
      }
    }
    messages.readyForQuery(status);
    flush();
  }

  /** Ends the connection with a FATAL error, as PostgreSQL ends a broken one. */
  void fatal(String state, String message) {
    if (closed) {
      return;
    }
    messages.report('E', ErrorResponses.basic("FATAL", state, message));
    channel.writeAndFlush(messages.take()).addListener(ChannelFutureListener.CLOSE);
    close();
  }

  // Settings the client tracks ------------------------------------------------------------------

  /**
   * Sends ParameterStatus for each reported setting whose value differs from what the client
   * was last told: all of them after startup, the changed ones after a statement that may have
   * changed one.
   */
  void reportSettings() throws SQLException {
    if (session.transactionStatus() == 'E') {
      // A failed block reads nothing; the client hears once the block has ended.
      settingsStale = true;
      return;
    }
    settingsStale = false;
    Map<String, String> now = session.lookup(coordinator -> {
      Map<String, String> values = new LinkedHashMap<>();
      StringBuilder sql = new StringBuilder("SELECT ");
      for (int i = 0; i < REPORTED.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append("pg_catalog.current_setting('")
            .append(REPORTED.get(i)).append("', true)");
      }
      try (var statement = coordinator.createStatement();
          var rs = statement.executeQuery(sql.toString())) {
        rs.next();
        for (int i = 0; i < REPORTED.size(); i++) {
          values.put(REPORTED.get(i), rs.getString(i + 1));
        }
      }
      return values;
    });
    now.put("server_encoding", "UTF8");
    now.put("client_encoding", "UTF8");
    now.put("integer_datetimes", "on");
    now.put("standard_conforming_strings", "on");
    for (Map.Entry<String, String> each : now.entrySet()) {
      if (each.getValue() != null && !each.getValue().equals(reported.get(each.getKey()))) {
        reported.put(each.getKey(), each.getValue());
        messages.parameterStatus(each.getKey(), each.getValue());
      }
    }
  }

  // Ending --------------------------------------------------------------------------------------

  /**
   * Closes the connection, from any thread, and cancels its running statement; the session
   * itself is closed on the connection's thread once its loop has ended ({@link #release}).
   */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.forget(this);
    channel.close();
    SparSession running = session;
    if (running != null) {
      running.cancel();
    }
  }

  /** Closes the session (rolling back an open transaction); its connection's loop has ended. */
  @Override
  public void release() {
    close();
    messages.discard();
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing a PostgreSQL connection's session failed", e);
      }
    }
  }

  boolean isClosed() {
    return closed;
  }
}
