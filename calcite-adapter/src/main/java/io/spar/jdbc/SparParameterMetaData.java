package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;

/**
 * Parameter metadata of a Spar prepared statement: IN parameters of unknown nullability, with
 * the types PostgreSQL inferred when it described the statement, or typed VARCHAR where it
 * could not describe it.
 */
public final class SparParameterMetaData implements ParameterMetaData {
  static final ColumnInfo UNKNOWN = new ColumnInfo("?", Types.VARCHAR, "varchar", 0, 0,
      ParameterMetaData.parameterNullableUnknown, String.class.getName());

  private final List<ColumnInfo> types;

  /** Creates metadata for {@code count} parameters of unknown type. */
  public SparParameterMetaData(int count) {
    this(Collections.nCopies(count, UNKNOWN));
  }

  /** Creates metadata for parameters of the described {@code types}. */
  public SparParameterMetaData(List<ColumnInfo> types) {
    this.types = List.copyOf(types);
  }

  private void check(int param) throws SQLException {
    if (param < 1 || param > types.size()) {
      throw JdbcErrors.invalidArgument("The parameter index is out of range: " + param
          + ", number of parameters: " + types.size() + ".");
    }
  }

  @Override
  public int getParameterCount() {
    return types.size();
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
    return types.get(param - 1).precision();
  }

  @Override
  public int getScale(int param) throws SQLException {
    check(param);
    return types.get(param - 1).scale();
  }

  @Override
  public int getParameterType(int param) throws SQLException {
    check(param);
    return types.get(param - 1).jdbcType();
  }

  @Override
  public String getParameterTypeName(int param) throws SQLException {
    check(param);
    return types.get(param - 1).typeName();
  }

  @Override
  public String getParameterClassName(int param) throws SQLException {
    check(param);
    return types.get(param - 1).className();
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
