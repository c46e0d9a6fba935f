package io.spar.session;

import io.spar.outcome.SparErrors;
import io.spar.engine.transactions.TransactionMode.Isolation;
import io.spar.parser.SqlTokens;
import io.spar.session.TransactionStatement.ModeChange;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parser of transaction-control statements, with PostgreSQL's grammar and syntax errors.
 *
 * <p>It recognises a statement by its first words and returns empty for anything else, such
 * as {@code SET search_path} or SQL's {@code PREPARE name AS …}, which take the ordinary path.
 */
final class TransactionStatements {
  private static final Set<String> TRANSACTION_SETTINGS =
      Set.of("transaction_isolation", "transaction_read_only", "transaction_deferrable");
  private static final Set<String> DEFAULT_SETTINGS = Set.of("default_transaction_isolation",
      "default_transaction_read_only", "default_transaction_deferrable");

  private final List<Token> tokens;
  private int position;

  private TransactionStatements(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** One word, quoted identifier, string or punctuation mark of the statement. */
  private record Token(String text, String value, boolean word) {
  }

  /**
   * Returns the transaction-control statement {@code sql} is, or empty if it is none.
   *
   * @throws SQLException with PostgreSQL's syntax error if it is one but is malformed
   */
  static Optional<TransactionStatement> parse(String sql) throws SQLException {
    List<Token> tokens = tokenize(sql);
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    return new TransactionStatements(tokens).statement();
  }

  private Optional<TransactionStatement> statement() throws SQLException {
    String first = next().value();
    TransactionStatement result;
    switch (first) {
      case "begin" -> {
        optional("work", "transaction");
        result = new TransactionStatement.Begin(modes(false));
      }
      case "start" -> {
        expect("transaction");
        result = new TransactionStatement.Begin(modes(false));
      }
      case "commit", "end" -> {
        if (first.equals("commit") && accept("prepared")) {
          return twoPhase("COMMIT PREPARED");
        }
        optional("work", "transaction");
        result = new TransactionStatement.Commit(chain());
      }
      case "rollback", "abort" -> {
        if (first.equals("rollback") && accept("prepared")) {
          return twoPhase("ROLLBACK PREPARED");
        }
        optional("work", "transaction");
        if (first.equals("rollback") && accept("to")) {
          accept("savepoint");
          result = new TransactionStatement.RollbackTo(name());
        } else {
          result = new TransactionStatement.Rollback(chain());
        }
      }
      case "savepoint" -> result = new TransactionStatement.Savepoint(name());
      case "release" -> {
        accept("savepoint");
        result = new TransactionStatement.Release(name());
      }
      case "prepare" -> {
        if (!accept("transaction")) {
          return Optional.empty();
        }
        return twoPhase("PREPARE TRANSACTION");
      }
      case "set" -> {
        return setStatement();
      }
      case "reset" -> {
        String setting = atEnd() ? "" : next().value();
        if (TRANSACTION_SETTINGS.contains(setting)) {
          return Optional.of(new TransactionStatement.TransactionSetting(setting));
        }
        return DEFAULT_SETTINGS.contains(setting) || setting.equals("all")
            ? Optional.of(new TransactionStatement.DefaultsSetting()) : Optional.empty();
      }
      default -> {
        return Optional.empty();
      }
    }
    end();
    return Optional.of(result);
  }

  private Optional<TransactionStatement> setStatement() throws SQLException {
    if (accept("transaction")) {
      if (accept("snapshot")) {
        return Optional.of(new TransactionStatement.SetSnapshot());
      }
      ModeChange modes = modes(true);
      end();
      return Optional.of(new TransactionStatement.SetTransaction(modes));
    }
    boolean session = accept("session");
    if (session && accept("characteristics")) {
      return Optional.of(new TransactionStatement.DefaultsSetting());
    }
    if (!session) {
      accept("local");
    }
    String setting = atEnd() ? "" : next().value();
    if (TRANSACTION_SETTINGS.contains(setting)) {
      return Optional.of(new TransactionStatement.TransactionSetting(setting));
    }
    return DEFAULT_SETTINGS.contains(setting)
        ? Optional.of(new TransactionStatement.DefaultsSetting()) : Optional.empty();
  }

  private Optional<TransactionStatement> twoPhase(String command) throws SQLException {
    if (atEnd() || tokens.get(position).word()) {
      throw syntaxError();
    }
    next();
    end();
    return Optional.of(new TransactionStatement.TwoPhase(command));
  }

  /** Parses a transaction mode list; {@code required} for SET TRANSACTION. */
  private ModeChange modes(boolean required) throws SQLException {
    Isolation isolation = null;
    Boolean readOnly = null;
    Boolean deferrable = null;
    boolean any = false;
    while (!atEnd() && !peek(";")) {
      if (any) {
        accept(",");
      }
      if (accept("isolation")) {
        expect("level");
        isolation = isolationLevel();
      } else if (accept("read")) {
        String which = next().value();
        if (which.equals("only") || which.equals("write")) {
          readOnly = which.equals("only");
        } else {
          throw syntaxError(position - 1);
        }
      } else if (accept("not")) {
        expect("deferrable");
        deferrable = false;
      } else if (accept("deferrable")) {
        deferrable = true;
      } else {
        throw syntaxError();
      }
      any = true;
    }
    if (required && !any) {
      throw syntaxError();
    }
    return new ModeChange(isolation, readOnly, deferrable);
  }

  private Isolation isolationLevel() throws SQLException {
    if (accept("serializable")) {
      return Isolation.SERIALIZABLE;
    }
    if (accept("repeatable")) {
      expect("read");
      return Isolation.REPEATABLE_READ;
    }
    expect("read");
    if (accept("committed")) {
      return Isolation.READ_COMMITTED;
    }
    expect("uncommitted");
    return Isolation.READ_UNCOMMITTED;
  }

  private boolean chain() throws SQLException {
    if (!accept("and")) {
      return false;
    }
    boolean no = accept("no");
    expect("chain");
    return !no;
  }

  private String name() throws SQLException {
    if (atEnd() || tokens.get(position).text().equals(";")) {
      throw syntaxError();
    }
    Token token = next();
    if (!token.word() && !token.text().startsWith("\"")) {
      throw syntaxError(position - 1);
    }
    return token.value();
  }

  private void end() throws SQLException {
    accept(";");
    if (!atEnd()) {
      throw syntaxError();
    }
  }

  private boolean atEnd() {
    return position >= tokens.size();
  }

  private boolean peek(String value) {
    if (atEnd()) {
      return false;
    }
    Token token = tokens.get(position);
    // A quoted identifier or string is never a keyword, even if it spells one.
    boolean quoted = token.text().startsWith("\"") || token.text().startsWith("'");
    return !quoted && token.value().equals(value);
  }

  private Token next() throws SQLException {
    if (atEnd()) {
      throw syntaxError();
    }
    return tokens.get(position++);
  }

  private boolean accept(String value) {
    if (peek(value)) {
      position++;
      return true;
    }
    return false;
  }

  private void optional(String... values) {
    for (String each : values) {
      if (accept(each)) {
        return;
      }
    }
  }

  private void expect(String value) throws SQLException {
    if (!accept(value)) {
      throw syntaxError();
    }
  }

  private SQLException syntaxError() {
    return syntaxError(position);
  }

  private SQLException syntaxError(int at) {
    if (at >= tokens.size()) {
      return SparErrors.error(SparErrors.SYNTAX_ERROR, "syntax error at end of input");
    }
    return SparErrors.error(SparErrors.SYNTAX_ERROR,
        "syntax error at or near \"" + tokens.get(at).text() + "\"");
  }

  /** Returns the tokens of {@code sql}, names folded as PostgreSQL folds identifiers. */
  private static List<Token> tokenize(String sql) {
    List<Token> result = new ArrayList<>();
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      String name = each.name();
      result.add(new Token(each.text(), name != null ? name : each.text(),
          each.kind() == SqlTokens.Kind.WORD));
    }
    return result;
  }
}
