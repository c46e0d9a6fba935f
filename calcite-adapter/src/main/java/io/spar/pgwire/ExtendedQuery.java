package io.spar.pgwire;

import io.spar.outcome.StatementResult;
import io.spar.session.SparSession;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The extended query protocol: Parse, Bind, Describe, Execute, Close, Flush and Sync, with
 * named and unnamed statements and portals, parameters and results in text or binary, and
 * row limits that suspend a portal.
 *
 * <p>After an error, messages are discarded until Sync, as PostgreSQL does. Statements sent
 * between two Syncs outside a transaction block form one implicit transaction that commits at
 * Sync: when more than the one statement may follow before the Sync, Spar opens a block for
 * them, so that a failure undoes them all; a lone statement, whose Sync has arrived, runs on
 * its own without that cost.
 */
final class ExtendedQuery {
  /** A parsed statement: its text and the parameter types the client declared (0: unknown). */
  record Prepared(StatementText text, int[] parameterTypes) {
  }

  /** A bound statement, run at its first Describe or Execute. */
  private static final class Portal {
    private final String name;
    private final Prepared statement;
    private final List<Object> parameters;
    private final short[] resultFormats;
    private StatementResult result;
    private ResultRows rows;
    private boolean failedBlock;

    Portal(String name, Prepared statement, List<Object> parameters, short[] resultFormats) {
      this.name = name;
      this.statement = statement;
      this.parameters = parameters;
      this.resultFormats = resultFormats;
    }
  }

  private static final int INT2 = 21;
  private static final int INT4 = 23;
  private static final int INT8 = 20;
  private static final int FLOAT4 = 700;
  private static final int FLOAT8 = 701;
  private static final int NUMERIC = 1700;
  private static final int BYTEA = 17;
  private static final int UNKNOWN = 705;
  private static final int TEXT = 25;

  private final WireSession wire;
  private final Map<String, Prepared> statements = new HashMap<>();
  private final Map<String, Portal> portals = new HashMap<>();
  private boolean skipping;
  private boolean implicitBlock;
  private boolean settingsTouched;

  ExtendedQuery(WireSession wire) {
    this.wire = wire;
  }

  /** Drops the unnamed statement and portal, as a simple Query does. */
  void forgetUnnamed() {
    statements.remove("");
    closePortal("");
  }

  void handle(FrontendMessage message) {
    if (message.type() == 'S') {
      sync();
      return;
    }
    if (skipping) {
      return;
    }
    MessageReader reader = new MessageReader(message.body());
    try {
      switch (message.type()) {
        case 'P' -> parse(reader);
        case 'B' -> bind(reader);
        case 'D' -> describe(reader);
        case 'E' -> execute(reader);
        case 'C' -> close(reader);
        case 'H' -> wire.flush();
        default -> throw new IllegalStateException();
      }
    } catch (SQLException e) {
      wire.error(e);
      skipping = true;
    } catch (MessageReader.InvalidText e) {
      wire.error(ErrorResponses.basic("ERROR", "22021", e.getMessage()));
      skipping = true;
    }
  }

  private void parse(MessageReader reader) throws SQLException, MessageReader.InvalidText {
    String name = reader.string();
    String sql = reader.string();
    int count = reader.int16();
    if (count < 0) {
      throw new ProtocolViolation("invalid parameter count");
    }
    int[] types = new int[count];
    for (int i = 0; i < count; i++) {
      types[i] = reader.int32();
    }
    reader.end();
    StatementText text = StatementText.of(sql);
    if (text.statements() > 1) {
      throw new SQLException("cannot insert multiple commands into a prepared statement",
          "42601");
    }
    if (!name.isEmpty() && statements.containsKey(name)) {
      throw new SQLException("prepared statement \"" + name + "\" already exists", "42P05");
    }
    statements.put(name, new Prepared(text, types));
    wire.messages().parseComplete();
  }

  private void bind(MessageReader reader) throws SQLException, MessageReader.InvalidText {
    String portalName = reader.string();
    String statementName = reader.string();
    short[] formats = formats(reader);
    int count = reader.int16();
    if (count < 0) {
      throw new ProtocolViolation("invalid parameter count");
    }
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int length = reader.int32();
      values[i] = length == -1 ? null : reader.bytes(length);
    }
    short[] resultFormats = formats(reader);
    reader.end();
    Prepared statement = statements.get(statementName);
    if (statement == null) {
      throw new SQLException("prepared statement \"" + statementName + "\" does not exist",
          "26000");
    }
    if (formats.length > 1 && formats.length != count) {
      throw new SQLException("bind message has " + formats.length + " parameter formats but "
          + count + " parameters", "08P01");
    }
    if (!portalName.isEmpty() && portals.containsKey(portalName)) {
      throw new SQLException("portal \"" + portalName + "\" already exists", "42P03");
    }
    List<Object> parameters = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int type = i < statement.parameterTypes().length ? statement.parameterTypes()[i] : 0;
      short format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
      parameters.add(parameter(values[i], type, format));
    }
    closePortal(portalName);
    portals.put(portalName, new Portal(portalName, statement, parameters, resultFormats));
    wire.messages().bindComplete();
  }

  private static short[] formats(MessageReader reader) {
    int count = reader.int16();
    if (count < 0) {
      throw new ProtocolViolation("invalid format count");
    }
    short[] formats = new short[count];
    for (int i = 0; i < count; i++) {
      formats[i] = (short) reader.int16();
    }
    return formats;
  }

  /**
   * Returns a parameter as the session binds it: a typed Java value where the client declared
   * a numeric type (so that PostgreSQL resolves the statement as it would with that type), the
   * bytes of a bytea, else the text, which the session binds untyped for PostgreSQL to read.
   */
  private static Object parameter(byte[] value, int type, short format)
      throws SQLException, MessageReader.InvalidText {
    if (value == null) {
      return null;
    }
    if (format == 1) {
      if (type == BYTEA) {
        return value;
      }
      if (type == 0 || !BinaryFormat.supports(type)) {
        throw new SQLException("binary parameters of unknown or unsupported types are not"
            + " supported by Spar; send type " + type + " in text", "0A000");
      }
      return typed(BinaryFormat.decode(type, value), type);
    }
    if (format != 0) {
      throw new SQLException("unsupported format code: " + format, "22023");
    }
    return typed(MessageReader.utf8(value, 0, value.length), type);
  }

  private static Object typed(String text, int type) {
    try {
      return switch (type) {
        case INT2, INT4 -> Integer.valueOf(text.trim());
        case INT8 -> Long.valueOf(text.trim());
        case FLOAT4, FLOAT8 -> Double.valueOf(text.trim());
        case NUMERIC -> new BigDecimal(text.trim());
        default -> text;
      };
    } catch (NumberFormatException e) {
      return text; // PostgreSQL's own input function reports it
    }
  }

  private void describe(MessageReader reader) throws SQLException, MessageReader.InvalidText {
    int kind = reader.int8();
    String name = reader.string();
    reader.end();
    if (kind == 'S') {
      Prepared statement = statements.get(name);
      if (statement == null) {
        throw new SQLException("prepared statement \"" + name + "\" does not exist", "26000");
      }
      describeStatement(statement);
    } else if (kind == 'P') {
      Portal portal = portal(name);
      run(portal);
      if (portal.rows != null) {
        wire.messages().rowDescription(portal.rows.fields());
      } else {
        wire.messages().noData();
      }
    } else {
      throw new ProtocolViolation("invalid DESCRIBE message subtype " + kind);
    }
  }

  private void describeStatement(Prepared statement) throws SQLException {
    SparSession session = wire.session();
    Placeholders jdbc = statement.text().jdbc();
    Optional<SparSession.Description> description = session.describe(jdbc.sql());
    int[] declared = statement.parameterTypes();
    int[] types = new int[Math.max(jdbc.highest(), declared.length)];
    for (int i = 0; i < types.length; i++) {
      // $n is the n-th parameter; its first ? in the JDBC text has the type PostgreSQL found.
      int placeholder = indexOf(jdbc.numbers(), i + 1);
      if (i < declared.length && declared[i] != 0) {
        types[i] = declared[i];
      } else if (description.isPresent() && placeholder >= 0
          && placeholder < description.get().parameters().size()) {
        types[i] = wire.server().types().type(
            description.get().parameters().get(placeholder).typeName(), session).oid();
      } else {
        types[i] = TEXT;
      }
    }
    wire.messages().parameterDescription(types);
    if (description.isEmpty() || description.get().columns().isEmpty()) {
      wire.messages().noData();
      return;
    }
    List<BackendMessages.Field> fields = new ArrayList<>();
    for (var column : description.get().columns()) {
      TypeCatalog.Type type = wire.server().types().type(column.typeName(), session);
      fields.add(new BackendMessages.Field(column.label(), 0, (short) 0, type.oid(),
          type.length(), -1, (short) 0));
    }
    wire.messages().rowDescription(fields);
  }

  private void execute(MessageReader reader) throws SQLException, MessageReader.InvalidText {
    String name = reader.string();
    int limit = reader.int32();
    reader.end();
    Portal portal = portal(name);
    StatementText text = portal.statement.text();
    if (text.statements() == 0) {
      wire.messages().emptyQueryResponse();
      return;
    }
    run(portal);
    if (portal.rows == null) {
      wire.messages().commandComplete(text.tag().text(portal.result.updateCount(),
          false, portal.failedBlock));
      return;
    }
    if (portal.rows.send(wire, limit)) {
      wire.messages().portalSuspended();
      return;
    }
    wire.messages().commandComplete(text.tag().text(portal.rows.sent(), true,
        portal.failedBlock));
  }

  /** Runs the portal's statement, once. */
  private void run(Portal portal) throws SQLException {
    if (portal.result != null) {
      return;
    }
    StatementText text = portal.statement.text();
    SparSession session = wire.session();
    if (!implicitBlock && session.transactionStatus() == 'I' && !text.controlsTransactions()
        && (!wire.inbox().nextIs((byte) 'S', each -> each.type() == 'H'
            || each.type() == 'E' && executes(each, portal.name))
            || binary(portal.resultFormats) && !text.isQuery())) {
      // More may follow before Sync: they must commit or fail together. And a modification
      // whose returned rows a client wants in binary is checked for that after it ran: it
      // must not commit before its rows could be sent.
      session.execute("BEGIN", List.of());
      implicitBlock = true;
    }
    portal.failedBlock = session.transactionStatus() == 'E';
    portal.result = session.execute(text.jdbc().sql(), text.jdbc().bind(portal.parameters));
    settingsTouched |= text.setsReported();
    wire.notices(portal.result.warnings());
    if (portal.result.hasRows()) {
      portal.rows = new ResultRows(portal.result.rows(), portal.resultFormats,
          wire.server().types(), session);
    }
  }

  private static boolean binary(short[] formats) {
    for (short each : formats) {
      if (each == 1) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }

  /** Returns whether {@code message}, an Execute, names portal {@code name}. */
  private static boolean executes(FrontendMessage message, String name) {
    try {
      return new MessageReader(message.body()).string().equals(name);
    } catch (MessageReader.InvalidText | ProtocolViolation e) {
      return false;
    }
  }

  private Portal portal(String name) throws SQLException {
    Portal portal = portals.get(name);
    if (portal == null) {
      throw new SQLException("portal \"" + name + "\" does not exist", "34000");
    }
    return portal;
  }

  private void close(MessageReader reader) throws MessageReader.InvalidText {
    int kind = reader.int8();
    String name = reader.string();
    reader.end();
    if (kind == 'S') {
      statements.remove(name);
    } else if (kind == 'P') {
      closePortal(name);
    } else {
      throw new ProtocolViolation("invalid CLOSE message subtype " + kind);
    }
    wire.messages().closeComplete();
  }

  private void closePortal(String name) {
    Portal portal = portals.remove(name);
    if (portal != null && portal.rows != null) {
      portal.rows.close();
    }
  }

  private void sync() {
    SparSession session = wire.session();
    if (implicitBlock) {
      implicitBlock = false;
      try {
        // An error since the block began (the session's or the protocol's) undoes it all.
        session.execute(!skipping && session.transactionStatus() == 'T' ? "COMMIT"
            : "ROLLBACK", List.of());
      } catch (SQLException e) {
        wire.error(e);
      }
    }
    skipping = false;
    if (session.transactionStatus() == 'I') {
      // Portals live as long as their transaction.
      new ArrayList<>(portals.keySet()).forEach(this::closePortal);
    }
    if (settingsTouched) {
      settingsTouched = false;
      try {
        wire.reportSettings();
      } catch (SQLException e) {
        wire.error(e);
      }
    }
    wire.readyForQuery();
  }
}
