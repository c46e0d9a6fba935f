package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * Result set metadata built from the column descriptions of a Spar row set.
 *
 * <p>Spar merges rows from several shards and does not track which base table a column comes
 * from, so table, schema and catalog names are empty strings, as JDBC allows.
 */
public final class SparResultSetMetaData implements ResultSetMetaData {
  private final List<ColumnInfo> columns;

  /** Creates metadata over {@code columns}, in result order. */
  public SparResultSetMetaData(List<ColumnInfo> columns) {
    this.columns = List.copyOf(columns);
  }

  private ColumnInfo column(int column) throws SQLException {
    if (column < 1 || column > columns.size()) {
      throw JdbcErrors.invalidArgument("The column index is out of range: " + column
          + ", number of columns: " + columns.size() + ".");
    }
    return columns.get(column - 1);
  }

  @Override
  public int getColumnCount() {
    return columns.size();
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    column(column);
    return false;
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    return isText(column(column).jdbcType());
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    column(column);
    return true;
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    return "money".equals(column(column).typeName());
  }

  @Override
  public int isNullable(int column) throws SQLException {
    return column(column).nullable();
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    return switch (column(column).jdbcType()) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.REAL, Types.FLOAT,
          Types.DOUBLE, Types.NUMERIC, Types.DECIMAL -> true;
      default -> false;
    };
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    ColumnInfo info = column(column);
    int precision = info.precision();
    return switch (info.jdbcType()) {
      case Types.BIT, Types.BOOLEAN -> 1;
      case Types.TINYINT, Types.SMALLINT -> 6;
      case Types.INTEGER -> 11;
      case Types.BIGINT -> 20;
      case Types.REAL -> 15;
      case Types.FLOAT, Types.DOUBLE -> 25;
      case Types.DATE -> 13;
      case Types.TIME -> 15;
      case Types.TIME_WITH_TIMEZONE -> 21;
      case Types.TIMESTAMP -> 29;
      case Types.TIMESTAMP_WITH_TIMEZONE -> 35;
      // Sign and decimal point come on top of the digits.
      case Types.NUMERIC, Types.DECIMAL -> precision > 0 ? precision + 2 : 131089;
      default -> precision > 0 ? precision : Integer.MAX_VALUE;
    };
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    return column(column).label();
  }

  /** Returns the column label: Spar does not track the underlying column name. */
  @Override
  public String getColumnName(int column) throws SQLException {
    return column(column).label();
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    column(column);
    return "";
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    return column(column).precision();
  }

  @Override
  public int getScale(int column) throws SQLException {
    return column(column).scale();
  }

  @Override
  public String getTableName(int column) throws SQLException {
    column(column);
    return "";
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    column(column);
    return "";
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    return column(column).jdbcType();
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    return column(column).typeName();
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    column(column);
    return false; // as pgjdbc: the column can be written with SQL, if not through this result
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    column(column);
    return true;
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    column(column);
    return false;
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    return column(column).className();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return JdbcErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  private static boolean isText(int jdbcType) {
    return switch (jdbcType) {
      case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR,
          Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB -> true;
      default -> false;
    };
  }
}
