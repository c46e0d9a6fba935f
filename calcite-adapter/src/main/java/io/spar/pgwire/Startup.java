package io.spar.pgwire;

import io.spar.server.ScramVerifier;
import io.spar.session.SparSession;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The startup phase of a connection: the StartupMessage (or a CancelRequest), SCRAM-SHA-256
 * authentication against the users file, then the session with the client's settings,
 * ParameterStatus, BackendKeyData and the first ReadyForQuery.
 */
final class Startup {
  private static final int PROTOCOL_3 = 3 << 16;
  /** Startup parameters that are no settings. */
  private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "options",
      "replication", "client_encoding", "_pq_.");
  private static final Set<String> UTF8 = Set.of("utf8", "utf-8", "unicode");

  private enum Phase { STARTUP, SASL_INITIAL, SASL_RESPONSE }

  private final WireSession wire;
  private Phase phase = Phase.STARTUP;
  private String user;
  private Map<String, String> parameters;
  private ScramExchange exchange;

  Startup(WireSession wire) {
    this.wire = wire;
  }

  void handle(FrontendMessage message) {
    try {
      switch (phase) {
        case STARTUP -> startup(message);
        case SASL_INITIAL -> saslInitial(message);
        case SASL_RESPONSE -> saslResponse(message);
        default -> throw new IllegalStateException();
      }
    } catch (MessageReader.InvalidText e) {
      wire.fatal("22021", e.getMessage());
    } catch (ScramExchange.AuthenticationFailed e) {
      wire.fatal("28P01", "password authentication failed for user \"" + user + "\"");
    } catch (SQLException e) {
      Map<Character, String> fields = ErrorResponses.of(e);
      fields.put('S', "FATAL");
      fields.put('V', "FATAL");
      wire.messages().report('E', fields);
      wire.flush();
      wire.close();
    }
  }

  private void startup(FrontendMessage message) throws MessageReader.InvalidText, SQLException {
    if (message.type() != FrontendMessage.STARTUP) {
      throw new ProtocolViolation("expected startup packet");
    }
    MessageReader reader = new MessageReader(message.body());
    int code = reader.int32();
    if (code == MessageFraming.CANCEL_REQUEST) {
      int processId = reader.int32();
      int secret = reader.int32();
      wire.server().cancel(processId, secret);
      wire.close(); // a cancel request gets no answer
      return;
    }
    if (code >> 16 != 3) {
      wire.fatal("0A000", "unsupported frontend protocol " + (code >> 16) + "." + (code & 0xffff)
          + ": server supports 3.0 to 3.0");
      return;
    }
    parameters = new LinkedHashMap<>();
    while (true) {
      String name = reader.string();
      if (name.isEmpty()) {
        break;
      }
      parameters.put(name, reader.string());
    }
    if (!reader.atEnd()) {
      // As PostgreSQL: bytes after the list are no parameters, and no client sends them.
      throw new ProtocolViolation("invalid startup packet layout: expected terminator as last"
          + " byte");
    }
    if (code != PROTOCOL_3 || parameters.keySet().stream().anyMatch(k -> k.startsWith("_pq_."))) {
      // A newer minor version or protocol options: PostgreSQL answers with what it speaks.
      BackendMessages.Message negotiate = wire.messages().message('v').int32(PROTOCOL_3);
      List<String> options = parameters.keySet().stream().filter(k -> k.startsWith("_pq_."))
          .toList();
      negotiate.int32(options.size());
      options.forEach(negotiate::string);
      negotiate.done();
    }
    user = parameters.get("user");
    if (user == null || user.isEmpty()) {
      wire.fatal("28000", "no PostgreSQL user name specified in startup packet");
      return;
    }
    String database = parameters.getOrDefault("database", user);
    if (!database.equals(wire.server().database())) {
      wire.fatal("3D000", "database \"" + database + "\" does not exist");
      return;
    }
    String encoding = parameters.get("client_encoding");
    if (encoding != null && !UTF8.contains(encoding.toLowerCase(Locale.ROOT))
        && !encoding.equalsIgnoreCase("auto")) {
      wire.fatal("22023", "Spar speaks only the UTF8 client encoding, not \"" + encoding + "\"");
      return;
    }
    if (wire.server().requiresTls() && !wire.server().isTls(wire.channel())) {
      wire.fatal("28000", "no pg_hba.conf entry for host \"" + wire.channel().remoteAddress()
          + "\", user \"" + user + "\", database \"" + database + "\", no encryption");
      return;
    }
    Optional<Map<String, ScramVerifier>> users = wire.server().users();
    if (users.isEmpty()) {
      authenticated();
      return;
    }
    exchange = new ScramExchange(users.get().get(user), user, wire.server().random());
    wire.messages().authenticationSasl(List.of(ScramExchange.MECHANISM));
    wire.flush();
    phase = Phase.SASL_INITIAL;
  }

  private void saslInitial(FrontendMessage message)
      throws MessageReader.InvalidText, ScramExchange.AuthenticationFailed, SQLException {
    if (message.type() != 'p') {
      throw new ProtocolViolation("expected SASL response, got message type "
          + (message.type() & 0xff));
    }
    MessageReader reader = new MessageReader(message.body());
    String mechanism = reader.string();
    int length = reader.int32();
    byte[] data = length < 0 ? new byte[0] : reader.bytes(length);
    reader.end();
    wire.messages().saslContinue(exchange.start(mechanism, data));
    wire.flush();
    phase = Phase.SASL_RESPONSE;
  }

  private void saslResponse(FrontendMessage message)
      throws ScramExchange.AuthenticationFailed, SQLException, MessageReader.InvalidText {
    if (message.type() != 'p') {
      throw new ProtocolViolation("expected SASL response, got message type "
          + (message.type() & 0xff));
    }
    byte[] data = message.body();
    wire.messages().saslFinal(exchange.finish(data));
    authenticated();
  }

  /** Opens the session with the client's settings and tells the client it may start. */
  private void authenticated() throws SQLException, MessageReader.InvalidText {
    wire.messages().authenticationOk();
    SparSession session = new SparSession(wire.server().engine());
    session.schemaBasedShardingByDefault(wire.server().distributesSchemas());
    wire.open(session);
    Map<String, String> settings = settings();
    if (!settings.isEmpty()) {
      // One statement for them all: each statement that sets something reads back the
      // session's state on the coordinator.
      session.execute("SELECT pg_catalog.set_config(n, v, false)"
          + " FROM unnest(?::text[], ?::text[]) AS s(n, v)",
          List.of(settings.keySet().toArray(new String[0]),
              settings.values().toArray(new String[0])));
    }
    wire.reportSettings();
    int[] key = wire.server().register(wire);
    wire.messages().backendKeyData(key[0], key[1]);
    wire.readyForQuery();
  }

  /** Returns the settings of the startup packet, with those of its {@code options} (-c). */
  private Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (!NOT_SETTINGS.contains(name) && !name.startsWith("_pq_.")) {
        settings.put(name, value);
      }
    });
    String options = parameters.get("options");
    if (options != null) {
      String[] words = options.trim().split("\\s+");
      for (int i = 0; i < words.length; i++) {
        String setting = null;
        if (words[i].equals("-c") && i + 1 < words.length) {
          setting = words[++i];
        } else if (words[i].startsWith("-c")) {
          setting = words[i].substring(2);
        } else if (words[i].startsWith("--")) {
          setting = words[i].substring(2);
        }
        if (setting != null && setting.contains("=")) {
          int equals = setting.indexOf('=');
          settings.put(setting.substring(0, equals).replace('-', '_'),
              setting.substring(equals + 1));
        }
      }
    }
    return settings;
  }
}
