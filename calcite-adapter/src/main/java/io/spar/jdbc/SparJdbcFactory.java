package io.spar.jdbc;

import io.spar.session.SparSession;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Properties;
import java.util.TimeZone;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaSpecificDatabaseMetaData;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.UnregisteredDriver;

/**
 * Factory of Spar's JDBC objects, for JDBC 4.1 and later, as Calcite's
 * {@code CalciteJdbc41Factory} is for Calcite's; {@link Driver} names it to Avatica.
 */
public final class SparJdbcFactory implements AvaticaFactory {
  /** Creates the factory; Avatica instantiates it by name. */
  public SparJdbcFactory() {
  }

  @Override
  public int getJdbcMajorVersion() {
    return 4;
  }

  @Override
  public int getJdbcMinorVersion() {
    return 1;
  }

  /** Opens a session on the engine {@code url} names and returns a connection that owns it. */
  @Override
  public AvaticaConnection newConnection(UnregisteredDriver driver, AvaticaFactory factory,
      String url, Properties info) throws SQLException {
    SparUrl parsed = SparUrl.parse(url, info);
    SparSession session = Driver.openSession(parsed);
    try {
      return new SparConnection(driver, factory, url, info, session, parsed.toString());
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public AvaticaStatement newStatement(AvaticaConnection connection, Meta.StatementHandle h,
      int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return new SparStatement((SparConnection) connection, h, resultSetType,
        resultSetConcurrency, resultSetHoldability);
  }

  @Override
  public AvaticaPreparedStatement newPreparedStatement(AvaticaConnection connection,
      Meta.StatementHandle h, Meta.Signature signature, int resultSetType,
      int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return new SparPreparedStatement((SparConnection) connection, h, signature, resultSetType,
        resultSetConcurrency, resultSetHoldability);
  }

  /** Returns a result set whose first frame carries all of a Spar result's rows. */
  @Override
  public AvaticaResultSet newResultSet(AvaticaStatement statement, QueryState state,
      Meta.Signature signature, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    return new SparResultSet(statement, state, signature,
        newResultSetMetaData(statement, signature), timeZone, firstFrame);
  }

  @Override
  public AvaticaSpecificDatabaseMetaData newDatabaseMetaData(AvaticaConnection connection) {
    return SparDatabaseMetaData.create((SparConnection) connection);
  }

  @Override
  public ResultSetMetaData newResultSetMetaData(AvaticaStatement statement,
      Meta.Signature signature) {
    return new SparResultSetMetaData(Columns.infos(signature.columns));
  }
}
