package io.spar.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.Service.ErrorResponse;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decorator of an Avatica {@link Service} that reports every failed RPC with the SQLState and
 * the message of the {@link SQLException} behind it.
 *
 * <p>A {@link io.spar.jdbc.SparMeta} method, which may not throw SQLExceptions, throws each as the
 * cause of a plain RuntimeException, and Avatica's handler reports such exceptions with
 * SQLState {@code 00000} and a chain of class names.
 * Only an {@link AvaticaRuntimeException} carries a SQLState, error code and message of the
 * server's choosing to the client, so every RPC's failure is turned into one here, in one
 * place for all RPCs: execute, batches, fetch, commit, rollback, connection sync and the rest.
 */
final class ErrorReportingService implements InvocationHandler {
  /** SQLState of an error that carries none of its own (PostgreSQL's internal_error). */
  static final String INTERNAL_ERROR = "XX000";

  private static final Logger LOG = LoggerFactory.getLogger(ErrorReportingService.class);

  private final Service delegate;

  private ErrorReportingService(Service delegate) {
    this.delegate = delegate;
  }

  /** Returns {@code delegate} reporting its failures with their SQLState and message. */
  static Service wrap(Service delegate) {
    // A proxy rather than one override per RPC: RPCs that later Avatica versions add are
    // covered without a change here.
    return (Service) Proxy.newProxyInstance(Service.class.getClassLoader(),
        new Class<?>[] {Service.class}, new ErrorReportingService(delegate));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(this, args);
    }
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw toReported(e.getCause());
    }
  }

  /**
   * Returns the exception to report for {@code failure}: the first SQLException among its
   * causes as an {@link AvaticaRuntimeException} with that SQLException's SQLState, error
   * code and message (for PostgreSQL's errors, the message with its detail and hint lines as
   * pgjdbc prints them). Avatica's own signals pass unchanged: the client reconnects on a
   * missing connection.
   */
  static Throwable toReported(Throwable failure) {
    if (failure instanceof AvaticaRuntimeException || failure instanceof NoSuchConnectionException
        || failure instanceof Error) {
      return failure;
    }
    SQLException sql = firstSqlException(failure);
    AvaticaRuntimeException reported;
    if (sql == null) {
      // Not an SQL error but a defect somewhere on the server: worth the operator's attention.
      LOG.warn("Remote request failed", failure);
      reported = new AvaticaRuntimeException(String.valueOf(failure), 0, INTERNAL_ERROR,
          AvaticaSeverity.ERROR);
    } else {
      LOG.debug("Remote request failed", failure);
      reported = new AvaticaRuntimeException(String.valueOf(sql.getMessage()),
          errorCode(sql), sql.getSQLState() == null ? INTERNAL_ERROR : sql.getSQLState(),
          severity(sql));
    }
    reported.initCause(failure);
    return reported;
  }

  /**
   * Returns the vendor code of {@code sql}, except Avatica's code for a missing connection,
   * on which the client would reopen its connection and silently lose its session.
   */
  private static int errorCode(SQLException sql) {
    return sql.getErrorCode() == ErrorResponse.MISSING_CONNECTION_ERROR_CODE
        ? 0 : sql.getErrorCode();
  }

  private static SQLException firstSqlException(Throwable failure) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      if (each instanceof SQLException sql) {
        return sql;
      }
      if (each.getCause() == each) {
        break;
      }
    }
    return null;
  }

  private static AvaticaSeverity severity(SQLException sql) {
    ServerErrorMessage server = sql instanceof PSQLException psql
        ? psql.getServerErrorMessage() : null;
    String severity = server == null ? null : server.getSeverity();
    return "FATAL".equals(severity) || "PANIC".equals(severity)
        ? AvaticaSeverity.FATAL : AvaticaSeverity.ERROR;
  }
}
