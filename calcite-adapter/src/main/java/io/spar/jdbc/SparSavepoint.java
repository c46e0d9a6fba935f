package io.spar.jdbc;

import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Savepoint of a Spar connection, named as pgjdbc names its savepoints: an unnamed one is
 * {@code JDBC_SAVEPOINT_<id>}, a named one is its name in double quotes.
 */
final class SparSavepoint implements Savepoint {
  private final int id;
  private final String name;
  private boolean released;

  private SparSavepoint(int id, String name) {
    this.id = id;
    this.name = name;
  }

  /** Returns an unnamed savepoint with {@code id}. */
  static SparSavepoint unnamed(int id) {
    return new SparSavepoint(id, null);
  }

  /** Returns the savepoint {@code name}. */
  static SparSavepoint named(String name) {
    return new SparSavepoint(0, name);
  }

  /** Returns the name to use in SQL, as pgjdbc writes it. */
  String sqlName() throws SQLException {
    checkValid();
    return name == null ? "JDBC_SAVEPOINT_" + id : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** Marks the savepoint released; it cannot be used any more. */
  void release() {
    released = true;
  }

  @Override
  public int getSavepointId() throws SQLException {
    checkValid();
    if (name != null) {
      throw new SQLException("Cannot retrieve the id of a named savepoint.", "42809");
    }
    return id;
  }

  @Override
  public String getSavepointName() throws SQLException {
    checkValid();
    if (name == null) {
      throw new SQLException("Cannot retrieve the name of an unnamed savepoint.", "42809");
    }
    return name;
  }

  private void checkValid() throws SQLException {
    if (released) {
      throw new SQLException("Cannot reference a savepoint after it has been released.",
          "3B000");
    }
  }
}
