package io.spar.jdbc;

import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.AvaticaSite;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * Avatica's parameter site, binding each value as pgjdbc binds it: the plain Java value itself,
 * which the session sends as PostgreSQL text, rather than Avatica's local representation
 * (dates as days, timestamps shifted by a calendar). A byte is bound as a smallint, since
 * PostgreSQL has no one-byte integer, and a calendar places a local date-time in its zone.
 */
final class PgSite extends AvaticaSite {
  private final TypedValue[] slots;
  private final int index;
  /** The calendar Avatica passes when the caller gave none, which means the default zone. */
  private final Calendar defaultCalendar;

  PgSite(AvaticaParameter parameter, Calendar defaultCalendar, int index, TypedValue[] slots) {
    super(parameter, defaultCalendar, index, slots);
    this.slots = slots;
    this.index = index;
    this.defaultCalendar = defaultCalendar;
  }

  /** Returns the slot value that binds {@code value} (SQL NULL if null). */
  static TypedValue bound(Object value) {
    return TypedValue.ofLocal(ColumnMetaData.Rep.OBJECT, value);
  }

  private void set(Object value) {
    slots[index] = bound(value);
  }

  private Calendar given(Calendar calendar) {
    return calendar == defaultCalendar ? null : calendar;
  }

  @Override
  public void setNull(int sqlType) {
    set(null);
  }

  @Override
  public void setNull(int sqlType, String typeName) {
    set(null);
  }

  @Override
  public void setBoolean(boolean x) {
    set(x);
  }

  @Override
  public void setByte(byte x) {
    set((short) x);
  }

  @Override
  public void setShort(short x) {
    set(x);
  }

  @Override
  public void setInt(int x) {
    set(x);
  }

  @Override
  public void setLong(long x) {
    set(x);
  }

  @Override
  public void setFloat(float x) {
    set(x);
  }

  @Override
  public void setDouble(double x) {
    set(x);
  }

  @Override
  public void setBigDecimal(BigDecimal x) {
    set(x);
  }

  @Override
  public void setString(String x) {
    set(x);
  }

  @Override
  public void setNString(String x) {
    set(x);
  }

  /** Binds a copy: the caller may reuse its array. */
  @Override
  public void setBytes(byte[] x) {
    set(x == null ? null : x.clone());
  }

  @Override
  public void setDate(Date x, Calendar calendar) {
    Calendar given = given(calendar);
    set(given == null ? x : ParameterConversions.withCalendar(x, given));
  }

  @Override
  public void setTime(Time x, Calendar calendar) {
    Calendar given = given(calendar);
    set(given == null ? x : ParameterConversions.withCalendar(x, given));
  }

  /** Binds the local date-time of {@code x} in the calendar's zone (for timestamp columns). */
  @Override
  public void setTimestamp(Timestamp x, Calendar calendar) {
    Calendar given = given(calendar);
    set(given == null ? x : ParameterConversions.withCalendar(x, given));
  }

  @Override
  public void setObject(Object x) {
    set(ParameterConversions.normalize(x));
  }

  @Override
  public void setArray(Array x) {
    set(x);
  }

  @Override
  public void setURL(URL x) {
    set(x == null ? null : x.toString());
  }
}
