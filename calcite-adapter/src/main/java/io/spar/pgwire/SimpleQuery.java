package io.spar.pgwire;

import io.spar.outcome.StatementResult;
import io.spar.parser.SqlTokens;
import io.spar.session.SparSession;
import java.sql.SQLException;
import java.util.List;

/**
 * The simple query protocol: a Query message's statements run one after another, each
 * answered by its rows and CommandComplete (or EmptyQueryResponse), until one fails; then
 * ReadyForQuery. Several statements without transaction control run in one implicit
 * transaction, as PostgreSQL runs them: a failure undoes the earlier ones.
 */
final class SimpleQuery {
  private static final short[] TEXT = new short[0];

  private final WireSession wire;

  SimpleQuery(WireSession wire) {
    this.wire = wire;
  }

  void run(byte[] body) {
    MessageReader reader = new MessageReader(body);
    String sql;
    try {
      sql = reader.string();
    } catch (MessageReader.InvalidText e) {
      wire.error(ErrorResponses.basic("ERROR", "22021", e.getMessage()));
      wire.readyForQuery();
      return;
    }
    reader.end();
    wire.extended().forgetUnnamed();
    List<StatementText> statements = SqlTokens.statements(sql).stream()
        .map(StatementText::of).toList();
    SparSession session = wire.session();
    if (statements.isEmpty()) {
      wire.messages().emptyQueryResponse();
      wire.readyForQuery();
      return;
    }
    boolean implicit = statements.size() > 1 && session.transactionStatus() == 'I'
        && statements.stream().noneMatch(StatementText::controlsTransactions);
    try {
      if (implicit) {
        session.execute("BEGIN", List.of());
      }
      for (StatementText each : statements) {
        execute(each);
      }
      if (implicit) {
        session.execute("COMMIT", List.of());
      }
    } catch (SQLException e) {
      wire.error(e);
      if (implicit && session.transactionStatus() != 'I') {
        try {
          session.execute("ROLLBACK", List.of());
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
      }
    }
    try {
      if (statements.stream().anyMatch(StatementText::setsReported)) {
        wire.reportSettings();
      }
    } catch (SQLException e) {
      wire.error(e);
    }
    wire.readyForQuery();
  }

  /** Runs one statement and sends its rows and CommandComplete. */
  private void execute(StatementText text) throws SQLException {
    SparSession session = wire.session();
    if (text.isCopy()) {
      wire.copy().run(text);
      return;
    }
    boolean failedBlock = session.transactionStatus() == 'E';
    StatementResult result = session.execute(text.jdbc().sql(), text.jdbc().bind(List.of()));
    wire.notices(result.warnings());
    if (result.hasRows()) {
      try (ResultRows rows = new ResultRows(result.rows(), TEXT, wire.server().types(),
          session)) {
        wire.messages().rowDescription(rows.fields());
        rows.send(wire, 0);
        wire.messages().commandComplete(
            text.tag().text(rows.sent(), true, failedBlock));
      }
    } else {
      wire.messages().commandComplete(
          text.tag().text(result.updateCount(), false, failedBlock));
    }
  }
}
