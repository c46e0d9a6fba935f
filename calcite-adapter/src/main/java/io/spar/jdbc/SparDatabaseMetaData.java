package io.spar.jdbc;

import io.spar.engine.execution.RowSet;
import java.util.Properties;
import org.apache.calcite.avatica.AvaticaSpecificDatabaseMetaData;
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

  private SparDatabaseMetaData(SparConnection connection) {
    this.connection = connection;
  }

  /**
   * Returns the metadata of {@code connection}, delegating catalog questions to the coordinator
   * of its session.
   */
  public static AvaticaSpecificDatabaseMetaData create(SparConnection connection) {
    return (AvaticaSpecificDatabaseMetaData) Proxy.newProxyInstance(
        SparDatabaseMetaData.class.getClassLoader(),
        new Class<?>[] {AvaticaSpecificDatabaseMetaData.class},
        new SparDatabaseMetaData(connection));
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
    Object result = connection.session().lookup(coordinator -> {
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
      return SparResultSet.of(RowSet.read(resultSet));
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
      case "getURL" -> connection.displayUrl();
      case "getDriverName" -> Driver.NAME;
      case "getDriverVersion" -> Driver.version();
      case "getDriverMajorVersion" -> Driver.MAJOR_VERSION;
      case "getDriverMinorVersion" -> Driver.MINOR_VERSION;
      // Tools (Flyway, Hibernate, Liquibase) recognise PostgreSQL by this name, and Spar speaks
      // PostgreSQL's dialect; getDriverName says it is Spar.
      case "getDatabaseProductName" -> Driver.PRODUCT_NAME;
      case "getJDBCMajorVersion" -> 4;
      case "getJDBCMinorVersion" -> 2;
      case "isReadOnly" -> connection.isReadOnly();
      case "unwrap" -> JdbcErrors.unwrap(proxy, (Class<?>) args[0]);
      case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(proxy);
      case "getAvaticaServerVersion" -> Driver.version(); // Spar serves its own Meta
      case "getRemoteAvaticaProperties" -> new Properties();
      default -> DELEGATE;
    };
  }

  /** Answers capability questions where Spar differs from the PostgreSQL it runs on. */
  private static Object capability(String name, Object[] args) {
    return switch (name) {
      // Transactions span shards and nodes, with DDL and savepoints, as PostgreSQL's do.
      case "supportsSavepoints", "supportsDataDefinitionAndDataManipulationTransactions",
          "supportsTransactions", "supportsMultipleTransactions" -> true;
      case "supportsDataManipulationTransactionsOnly", "dataDefinitionCausesTransactionCommit",
          "dataDefinitionIgnoredInTransactions" -> false;
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
