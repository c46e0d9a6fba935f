package io.spar.jdbc;

import io.spar.engine.execution.RowSet;
import io.spar.session.SparSession;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Database metadata of a Spar connection: catalog questions (tables, columns, keys, types) go to
 * the coordinator's pgjdbc metadata, on the session's coordinator connection for the length of
 * one call, and their result sets are copied into memory; identity and capability questions
 * are answered for Spar.
 *
 * <p>DatabaseMetaData has close to two hundred methods, so this is a dynamic proxy handler that
 * overrides the answers that differ from PostgreSQL's and delegates the rest.
 */
public final class SparDatabaseMetaData implements InvocationHandler {
  /** Returned by the answer methods when the coordinator's metadata should answer. */
  private static final Object DELEGATE = new Object();

  private final SparConnection connection;
  private final SparSession session;
  private final String url;

  private SparDatabaseMetaData(SparConnection connection, SparSession session, String url) {
    this.connection = connection;
    this.session = session;
    this.url = url;
  }

  /**
   * Returns the metadata of {@code connection}, delegating catalog questions to the coordinator
   * of {@code session}; {@code url} is the Spar URL it reports.
   */
  public static DatabaseMetaData create(SparConnection connection, SparSession session,
      String url) {
    return (DatabaseMetaData) Proxy.newProxyInstance(SparDatabaseMetaData.class.getClassLoader(),
        new Class<?>[] {DatabaseMetaData.class},
        new SparDatabaseMetaData(connection, session, url));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object answer = objectMethod(proxy, method, args);
    if (answer == DELEGATE) {
      answer = identity(proxy, method.getName(), args);
    }
    if (answer == DELEGATE) {
      answer = capability(method.getName(), args);
    }
    if (answer != DELEGATE) {
      return answer;
    }
    Throwable[] failure = new Throwable[1];
    Object result = session.lookup(coordinator -> {
      try {
        Object value = method.invoke(coordinator.getMetaData(), args);
        return value instanceof ResultSet resultSet ? copy(resultSet) : value;
      } catch (InvocationTargetException | IllegalAccessException e) {
        failure[0] = e instanceof InvocationTargetException target ? target.getCause() : e;
        return null;
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
    return result;
  }

  /** Copies a pgjdbc result set so that nothing leads back to the pooled coordinator connection. */
  private static ResultSet copy(ResultSet resultSet) throws SQLException {
    try (resultSet) {
      return new SparResultSet(RowSet.read(resultSet));
    }
  }

  private static Object objectMethod(Object proxy, Method method, Object[] args) {
    if (method.getDeclaringClass() != Object.class) {
      return DELEGATE;
    }
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "SparDatabaseMetaData[" + System.identityHashCode(proxy) + "]";
    };
  }

  private Object identity(Object proxy, String name, Object[] args) throws SQLException {
    return switch (name) {
      case "getConnection" -> (Connection) connection;
      case "getURL" -> url;
      case "getDriverName" -> Driver.NAME;
      case "getDriverVersion" -> Driver.version();
      case "getDriverMajorVersion" -> Driver.MAJOR_VERSION;
      case "getDriverMinorVersion" -> Driver.MINOR_VERSION;
      case "getDatabaseProductName" -> "Spar";
      case "getJDBCMajorVersion" -> 4;
      case "getJDBCMinorVersion" -> 2;
      case "isReadOnly" -> connection.isReadOnly();
      case "unwrap" -> JdbcErrors.unwrap(proxy, (Class<?>) args[0]);
      case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(proxy);
      default -> DELEGATE;
    };
  }

  /** Answers capability questions where Spar differs from the PostgreSQL it runs on. */
  private static Object capability(String name, Object[] args) {
    return switch (name) {
      // Transactions span shards and nodes; DDL inside them and savepoints are refused.
      case "supportsSavepoints", "supportsDataDefinitionAndDataManipulationTransactions" -> false;
      case "supportsTransactions", "supportsDataManipulationTransactionsOnly",
          "supportsMultipleTransactions" -> true;
      case "getDefaultTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
      case "supportsTransactionIsolationLevel" ->
          (Integer) args[0] == Connection.TRANSACTION_READ_COMMITTED;
      case "supportsResultSetType" -> isSupportedType((Integer) args[0]);
      case "supportsResultSetConcurrency" -> isSupportedType((Integer) args[0])
          && (Integer) args[1] == ResultSet.CONCUR_READ_ONLY;
      case "supportsResultSetHoldability" -> true;
      case "getResultSetHoldability" -> ResultSet.HOLD_CURSORS_OVER_COMMIT;
      case "supportsBatchUpdates" -> true;
      case "supportsGetGeneratedKeys", "generatedKeyAlwaysReturned", "supportsStoredProcedures",
          "supportsStoredFunctionsUsingCallSyntax", "supportsNamedParameters",
          "supportsMultipleResultSets", "supportsMultipleOpenResults",
          "supportsStatementPooling", "supportsRefCursors" -> false;
      default -> DELEGATE;
    };
  }

  private static boolean isSupportedType(int type) {
    return type == ResultSet.TYPE_FORWARD_ONLY || type == ResultSet.TYPE_SCROLL_INSENSITIVE;
  }
}
