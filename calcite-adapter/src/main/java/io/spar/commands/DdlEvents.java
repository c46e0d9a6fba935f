package io.spar.commands;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What PostgreSQL reports a DDL statement did on the coordinator: the commands its
 * {@code ddl_command_end} event trigger saw and the objects its {@code sql_drop} trigger saw
 * dropped, as Spar's event triggers (catalog migration 7) collect them in the transaction.
 */
final class DdlEvents {
  /**
   * One reported command or dropped object.
   *
   * @param dropped whether the object was dropped (else the command created or altered it)
   * @param tag the command tag, such as {@code ALTER TABLE}
   * @param type the object's type as PostgreSQL names it: {@code table}, {@code index},
   *     {@code schema}, {@code type}, {@code function}, …
   * @param oid the object's OID
   * @param schema the object's schema, or null
   * @param identity the object's identity, quoted and qualified, as {@code DROP} takes it
   * @param original for a dropped object, whether the statement named it (rather than
   *     dropping it with another)
   */
  record Event(boolean dropped, String tag, String type, long oid, String schema,
      String identity, boolean original) {
  }

  private static final String TAKE = "SELECT e.event = 'drop', e.tag, e.type, e.oid,"
      + " e.schema, e.identity, coalesce(e.original, false),"
      + " pg_catalog.set_config('spar.ddl_events', '', true)"
      + " FROM pg_catalog.jsonb_to_recordset(coalesce(nullif(pg_catalog.current_setting("
      + "'spar.ddl_events', true), ''), '[]')::jsonb) AS e(event text, tag text, type text,"
      + " oid bigint, schema text, identity text, original boolean)";

  private DdlEvents() {
  }

  /**
   * Returns the events collected in {@code coordinator}'s transaction since they were last
   * taken, in the order PostgreSQL reported them, and forgets them.
   */
  static List<Event> take(Connection coordinator) throws SQLException {
    List<Event> events = new ArrayList<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(TAKE)) {
      while (rs.next()) {
        events.add(new Event(rs.getBoolean(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            rs.getString(5), rs.getString(6), rs.getBoolean(7)));
      }
    }
    return events;
  }
}
