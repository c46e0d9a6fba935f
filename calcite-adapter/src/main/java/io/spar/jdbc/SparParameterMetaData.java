package io.spar.jdbc;

import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Parameter metadata of a Spar prepared statement: the number of parameter markers, each
 * reported as an IN parameter of unknown nullability typed VARCHAR, because Spar does not ask
 * the server to describe a statement before it runs.
 */
public final class SparParameterMetaData implements ParameterMetaData {
  private final int count;

  /** Creates metadata for {@code count} parameters. */
  public SparParameterMetaData(int count) {
    this.count = count;
  }

  private void check(int param) throws SQLException {
    if (param < 1 || param > count) {
      throw JdbcErrors.invalidArgument("The parameter index is out of range: " + param
          + ", number of parameters: " + count + ".");
    }
  }

  @Override
  public int getParameterCount() {
    return count;
  }

  @Override
  public int isNullable(int param) throws SQLException {
    check(param);
    return parameterNullableUnknown;
  }

  @Override
  public boolean isSigned(int param) throws SQLException {
    check(param);
    return false;
  }

  @Override
  public int getPrecision(int param) throws SQLException {
    check(param);
    return 0;
  }

  @Override
  public int getScale(int param) throws SQLException {
    check(param);
    return 0;
  }

  @Override
  public int getParameterType(int param) throws SQLException {
    check(param);
    return Types.VARCHAR;
  }

  @Override
  public String getParameterTypeName(int param) throws SQLException {
    check(param);
    return "varchar";
  }

  @Override
  public String getParameterClassName(int param) throws SQLException {
    check(param);
    return String.class.getName();
  }

  @Override
  public int getParameterMode(int param) throws SQLException {
    check(param);
    return parameterModeIn;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return JdbcErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
