package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.pgwire.BinaryFormat;
import io.spar.pgwire.PgTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * {@link BinaryFormat} gives the bytes of PostgreSQL's own send functions, and reads them
 * back as text PostgreSQL reads as the same value, checked value by value on the
 * coordinator's PostgreSQL: {@code encode(oid, <the server's text>)} must equal the server's
 * {@code <typsend>(value)}, and {@code <typsend>($1::type)} with {@code decode(oid, <those
 * bytes>)} bound as text of unknown type (as the wire protocol layer binds parameters) must
 * give the same bytes again. {@link PgTypes} is checked against the server's pg_type.
 */
class BinaryFormatTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String ALL_BYTES = "(SELECT decode(string_agg(lpad(to_hex(i), 2, '0'),"
      + " '' ORDER BY i), 'hex') FROM generate_series(0, 255) i)";
  private static Connection pg;
  private static int checked;

  @BeforeAll
  static void open() throws SQLException {
    pg = SparTestCluster.coordinator();
    // Text results only: the text is the input of encode, as the server prints it.
    pg.unwrap(PGConnection.class).setPrepareThreshold(0);
    Sql.run(pg, "SET DateStyle = ISO");
    Sql.run(pg, "SET IntervalStyle = postgres");
    Sql.run(pg, "SET bytea_output = hex");
    Sql.run(pg, "SET extra_float_digits = 1");
    Sql.run(pg, "SET TimeZone = 'UTC'");
  }

  @AfterAll
  static void close() throws SQLException {
    System.out.println("BinaryFormatTest: " + checked + " values checked against PostgreSQL");
    pg.close();
  }

  /**
   * Checks encode and decode of each of {@code values} (SQL expressions) as {@code type}
   * against the server's send function of that type.
   */
  private static void check(String type, String... values) throws SQLException {
    int oid;
    String send;
    String argument;
    // The send function, and a cast to its argument type where that is another type
    // (textsend of refcursor); array_send takes anyarray, which is no cast's target.
    try (PreparedStatement statement = pg.prepareStatement("SELECT t.oid,"
        + " t.typsend::regproc::text, CASE WHEN a.typtype = 'p' OR a.oid = t.oid THEN ''"
        + " ELSE '::' || a.oid::regtype::text END FROM pg_type t"
        + " JOIN pg_proc p ON p.oid = t.typsend JOIN pg_type a ON a.oid = p.proargtypes[0]"
        + " WHERE t.oid = ?::regtype")) {
      statement.setString(1, type);
      try (ResultSet rs = statement.executeQuery()) {
        assertTrue(rs.next(), type);
        oid = rs.getInt(1);
        send = rs.getString(2);
        argument = rs.getString(3);
      }
    }
    assertTrue(BinaryFormat.supports(oid), type);
    StringBuilder sql = new StringBuilder("SELECT v, ").append(send)
        .append("(v").append(argument).append(") FROM (VALUES ");
    for (int i = 0; i < values.length; i++) {
      sql.append(i == 0 ? "" : ", ").append('(').append(i).append(", (").append(values[i])
          .append(")::").append(type).append(')');
    }
    sql.append(") t(i, v) ORDER BY i");
    List<String> texts = new ArrayList<>();
    List<byte[]> sent = new ArrayList<>();
    try (Statement statement = pg.createStatement();
        ResultSet rs = statement.executeQuery(sql.toString())) {
      while (rs.next()) {
        texts.add(rs.getString(1));
        sent.add(rs.getBytes(2));
      }
    }
    assertEquals(values.length, texts.size(), sql.toString());
    try (PreparedStatement back = pg.prepareStatement("SELECT " + send + "(?::" + type
        + argument + ")")) {
      for (int i = 0; i < values.length; i++) {
        String text = texts.get(i);
        byte[] expected = sent.get(i);
        String what = type + " " + values[i] + " printed as " + text;
        assertEquals(HEX.formatHex(expected), HEX.formatHex(BinaryFormat.encode(oid, text)),
            "encode of " + what);
        String decoded = BinaryFormat.decode(oid, expected);
        back.setObject(1, decoded, Types.OTHER);
        try (ResultSet rs = back.executeQuery()) {
          rs.next();
          assertEquals(HEX.formatHex(expected), HEX.formatHex(rs.getBytes(1)),
              "decode of " + what + " gave " + decoded);
        }
        checked++;
      }
    }
  }

  @Test
  void integersAndBooleans() throws SQLException {
    check("bool", "true", "false");
    check("int2", "0", "1", "-1", "32767", "-32768", "'  12 '");
    check("int4", "0", "1", "-1", "2147483647", "-2147483648", "123456789");
    check("int8", "0", "-1", "9223372036854775807", "-9223372036854775808", "4294967296");
    check("oid", "0", "1", "2147483648", "4294967295", "'-1'");
    check("xid", "'0'", "'4294967295'", "'12345'");
    check("cid", "'0'", "'4294967295'");
    check("xid8", "'0'", "'18446744073709551615'", "'9223372036854775808'");
    check("pg_lsn", "'16/B374D848'", "'0/0'", "'FFFFFFFF/FFFFFFFF'", "'0/1'");
    check("tid", "'(0,1)'", "'(4294967295,65535)'", "'(12,0)'");
    check("int2vector", "'1 2 3'", "''", "'-32768 32767'", "'7'");
    check("oidvector", "'1 4294967295'", "''", "'0'");
  }

  @Test
  void floats() throws SQLException {
    check("float4", "0", "'-0'", "1", "-1.5", "'3.4028235e38'", "'1.4e-45'",
        "'1.17549435e-38'", "'1e-40'", "'NaN'", "'Infinity'", "'-Infinity'", "0.1",
        "16777217", "'-123456.7'", "'2.5e-10'");
    check("float8", "0", "'-0'", "1", "0.1", "'1e-310'", "'4.9e-324'",
        "'1.7976931348623157e308'", "'2.2250738585072014e-308'", "'2.225073858507201e-308'",
        "'NaN'", "'Infinity'", "'-Infinity'", "'1e23'", "123456789.123456789", "-3.14159",
        "'9007199254740993'", "1.0/3", "'5e-324'");
  }

  @Test
  void numerics() throws SQLException {
    check("numeric", "0", "0.00", "'-0'", "'-0.000'", "-12345.678900", "'1e100'", "'NaN'",
        "'Infinity'", "'-Infinity'", "1", "10000", "9999", "0.0001", "0.00001",
        "123456789012345678901234567890.123456789", "-0.5", "'1.5e-20'", "100000000",
        "0.1000", "'12.34e-10'", "power(2::numeric, 1000)", "1.0 / 3", "'-1e-100'",
        "'99999999.99999999'", "12345678", "'0.000100'", "'1e1000'", "'-5e-1000'",
        "round(2::numeric / 3, 1000)", "10001", "1000000000000", "'inf'");
  }

  @Test
  void characters() throws SQLException {
    check("text", "''", "'hello'", "'ünïcödé 日本 😀'", "'quote'' and \\ backslash'",
        "E'tab\\tnew\\nline\\r'", "repeat('x', 10000)", "' spaces '");
    check("varchar", "'abc'::varchar(10)", "''", "'日本'");
    check("bpchar", "'ab'::char(5)", "'x'::char", "''::char(3)", "'ü'::char(2)");
    check("name", "'pg_class'", "''", "'a name with spaces'", "repeat('n', 63)",
        "'Ünï'");
    check("\"char\"", "'a'", "''", "(-56)::\"char\"", "(127)::\"char\"", "(-128)::\"char\"",
        "(-1)::\"char\"", "'\\'", "' '", "(1)::\"char\"");
    check("refcursor", "'my cursor'", "''");
  }

  @Test
  void documents() throws SQLException {
    check("json", "'{\"a\": 1, \"b\": [1, 2.50, null]}'", "'\"str\"'", "'[]'",
        "'  {\"x\" :  \"ü\\u00e9\"}  '", "'null'", "'1e100'");
    check("jsonb", "'{\"a\": 1, \"b\": [1, 2.50, null]}'", "'\"ü\"'", "'[]'", "'{}'",
        "'null'", "'1e100'", "'{\"nested\": {\"k\": \"v\\\"q\\\\\"}}'", "'-0.000'",
        "'\"\\u00e9\\n\"'");
    check("jsonpath", "'$.a[*] ? (@ > 1)'", "'$'", "'strict $.\"key\".x'");
    check("xml", "'<a b=\"1\">text &amp; more</a>'", "'plain text'", "'<x>ü</x>'",
        "'<?xml version=\"1.0\"?><x/>'");
  }

  @Test
  void bytes() throws SQLException {
    check("bytea", "'\\x'", "'\\x00ff'", ALL_BYTES, "'abc'", "'\\x5c'",
        "decode(repeat('ab', 5000), 'hex')");
    Sql.run(pg, "SET bytea_output = escape");
    try {
      check("bytea", "'\\x'", "'\\x00ff'", ALL_BYTES, "'abc'", "'\\x5c22'", "'\\x7f80'");
      check("bytea[]", "ARRAY[" + ALL_BYTES + ", '\\x'::bytea, NULL]");
    } finally {
      Sql.run(pg, "SET bytea_output = hex");
    }
    check("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
        "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
        "'{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}'");
    check("bit", "B'1'", "B'10101'", "B'101010101'", "'0'::bit(10)", "B'11111111'");
    check("varbit", "B''", "B'1111111100000000'", "B'1'", "B'0000000001'");
    check("macaddr", "'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'", "'00:00:00:00:00:00'");
    check("macaddr8", "'08:00:2b:01:02:03:04:05'", "'08:00:2b:01:02:03'",
        "'ff:ff:ff:ff:ff:ff:ff:ff'");
    check("inet", "'192.168.1.5'", "'192.168.1.5/24'", "'10.0.0.0/8'", "'::1'",
        "'2001:db8::1/64'", "'::ffff:1.2.3.4'", "'0.0.0.0/0'", "'::/0'", "'fe80::1:2:3:4'",
        "'2001:db8:0:0:1:0:0:1'", "'255.255.255.255'", "'1:2:3:4:5:6:7:8/128'");
    check("cidr", "'10.0.0.0/8'", "'192.168.1.0/24'", "'2001:db8::/32'", "'0.0.0.0/0'",
        "'1.2.3.4/32'", "'::/0'", "'::1/128'");
  }

  @Test
  void geometry() throws SQLException {
    check("point", "'(1,2)'", "'(-1.5,1e-310)'", "'(NaN,Infinity)'", "'(0.1,-0)'");
    check("line", "'{1,-1,0}'", "'{0,1,2.5}'", "'{1e300,-0.1,3}'");
    check("lseg", "'[(1,2),(3,4)]'", "'[(0.1,0.2),(-3,4e-5)]'");
    check("box", "'(3,4),(1,2)'", "'((1,2),(3,4))'", "'(0,0),(0,0)'");
    check("path", "'((1,2),(3,4),(5,6))'", "'[(1,2),(3,4)]'", "'((0,0))'",
        "'[(0.1,0.2)]'");
    check("polygon", "'((0,0),(1,1),(1,0))'", "'((0.5,0.25))'");
    check("circle", "'<(1,2),3>'", "'<(0,0),0>'", "'<(-0.1,1e10),0.5>'");
  }

  @Test
  void datesAndTimes() throws SQLException {
    check("date", "'2000-01-01'", "'1999-12-31'", "'2000-01-02'", "'2024-02-29'",
        "'1900-02-28'", "'2000-02-29'", "'0001-01-01'", "'0001-12-31 BC'", "'0044-03-15 BC'",
        "'0005-02-29 BC'", "'4713-11-24 BC'", "'5874897-12-31'", "'infinity'", "'-infinity'",
        "'1970-01-01'", "'9999-12-31'", "'10000-01-01'");
    check("time", "'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.5'",
        "'00:00:00.000001'", "'13:45:01.1234565'");
    check("timetz", "'00:00:00+00'", "'13:45:01.123456+05:30'", "'23:59:59-15:59'",
        "'12:00:00+15:59:59'", "'24:00:00-01'", "'10:00:00+00:00:30'", "'00:00:00-00:19:32'",
        "'08:00:00.5-03:30'");
    check("timestamp", "'2000-01-01 00:00:00'", "'1999-12-31 23:59:59.999999'",
        "'2024-02-29 13:45:01.123456'", "'0044-03-15 12:00:00 BC'",
        "'4713-11-24 00:00:00 BC'", "'294276-12-31 23:59:59.999999'", "'infinity'",
        "'-infinity'", "'1900-02-28 01:02:03'", "'2000-01-01 00:00:00.000001'",
        "'1970-01-01 00:00:00'", "'0001-01-01 00:00:00'", "'0001-12-31 23:59:59 BC'",
        "'2000-02-29 12:00:00'", "'10000-01-01 00:00:00'");
    for (String zone : List.of("UTC", "Asia/Kolkata", "America/St_Johns",
        "Europe/Amsterdam", "Pacific/Chatham", "America/Los_Angeles")) {
      Sql.run(pg, "SET TimeZone = '" + zone + "'");
      check("timestamptz", "'2000-01-01 00:00:00+00'", "'1999-12-31 23:59:59.999999+00'",
          "'2024-02-29 13:45:01.123456+05:30'", "'2024-02-29 13:45:01.123456'",
          "'0044-03-15 12:00:00+00 BC'", "'4713-11-24 00:00:00+00 BC'",
          "'294276-12-31 23:59:59.999999+00'", "'infinity'", "'-infinity'",
          "'1900-02-28 01:02:03'", "'1883-11-18 12:00:00'", "'1937-07-01 00:00:00'",
          "'2024-03-10 10:30:00+00'", "'2024-11-03 08:30:00+00'",
          "'0001-01-01 00:00:00+00'", "'2000-01-01 00:00:00.000001+14'");
      check("timestamptz[]", "ARRAY['2024-02-29 13:45:01.5+05:30'::timestamptz, NULL,"
          + " 'infinity', '0044-03-15 12:00:00+00 BC']");
    }
    Sql.run(pg, "SET TimeZone = 'UTC'");
    check("interval", "'0'", "'1 year 2 mons 3 days 04:05:06.5'",
        "'-1 year -2 mons -3 days -04:05:06.5'", "'1 year -2 mons +3 days -04:05:06'",
        "'-00:00:00.000001'", "'1 day -1 second'", "'178956970 years 7 mons'",
        "'-178956970 years -8 mons'", "'2147483647 days'", "'-2147483648 days'",
        "'2562047788:00:54.775807'", "'-2562047788 hours -54.775808 secs'", "'1 mon'", "'-1 mons'",
        "'36 hours'", "'1.5 years'", "'1 day'", "'00:00:01'", "'-1 days +02:00:00'",
        "'100:00:00'", "'-3 mons 1 day'", "'0.000001 second'");
  }

  @Test
  void arrays() throws SQLException {
    check("int4[]", "'{}'", "'{1,2,3}'", "'{1,NULL,3}'", "'{{1,2},{3,4}}'", "'[2:3]={7,8}'",
        "'[0:1][-1:0]={{1,2},{3,4}}'", "'{{{1},{2}},{{3},{4}}}'", "'{NULL}'",
        "ARRAY[2147483647, -2147483648]", "(SELECT array_agg(i) FROM generate_series(1, 1000) i)",
        "'{{NULL,NULL},{NULL,1}}'", "'[-2147483648:-2147483647]={1,2}'",
        "'{{{{{{1}}}}}}'");
    check("text[]", "'{a,b}'",
        "'{\"\",\"NULL\",NULL,\"with \\\"quotes\\\"\",\"back\\\\slash\",\"a,b\",\"{x}\","
            + "\" lead\",\"trail \"}'",
        "'{ü,日本}'", "'{{\"a\",\"b\"},{\"c\",NULL}}'",
        "ARRAY[E'tab\\there', E'new\\nline', 'null', 'Null', '\\', '\"', '']",
        "'{  spaced  ,  \"quoted \"  }'", "'{a\\ b,c\\\\d}'", "ARRAY[]::text[]");
    check("varchar[]", "'{x,NULL}'");
    check("bpchar[]", "'{\"a  \",b}'::char(3)[]");
    check("name[]", "'{pg_class,\"with space\"}'");
    check("\"char\"[]", "'{a,b,\"\"}'");
    check("bool[]", "'{t,f,NULL}'");
    check("int2[]", "'{1,-32768}'");
    check("int8[]", "'[5:5]={9223372036854775807}'");
    check("float4[]", "'{NaN,Infinity,-0,1e-40}'");
    check("float8[]", "'{NaN,Infinity,-Infinity,-0,1e-310}'");
    check("numeric[]", "'{0.00,-12345.678900,NaN,Infinity,NULL}'");
    check("bytea[]", "ARRAY['\\x00ff'::bytea, '\\x', NULL, " + ALL_BYTES + "]");
    check("date[]", "'{2024-02-29,infinity,\"0044-03-15 BC\"}'");
    check("time[]", "'{00:00:00,24:00:00}'");
    check("timetz[]", "'{00:00:00+05:30,12:00:00-01}'");
    check("timestamp[]", "'{\"2000-01-01 00:00:00\",-infinity}'");
    check("interval[]", "'{\"1 year -2 mons\",-00:00:01,0}'");
    check("uuid[]", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'");
    check("json[]", "ARRAY['{\"a\": [1, 2]}'::json, 'null']");
    check("jsonb[]", "ARRAY['{\"a\": 1}'::jsonb, '[1, 2]', '\"x,y\"']");
    check("box[]", "'{(1,1),(0,0);(3,3),(2,2)}'");
    check("point[]", "'{\"(1,2)\",\"(3,4)\"}'");
    check("inet[]", "'{10.0.0.1,::1/64}'");
    check("int2vector[]", "ARRAY['1 2'::int2vector, '3']");
    check("oid[]", "'{1,4294967295}'");
    check("bit[]", "'{1,0}'::bit[]");
    check("varbit[]", "'{101,\"\"}'");
    check("macaddr[]", "'{08:00:2b:01:02:03}'");
    check("xml[]", "ARRAY['<a>x</a>'::xml]");
  }

  /** Decoded text means the same value whatever the session's styles and time zone. */
  @Test
  void decodedTextIgnoresSessionStyles() throws SQLException {
    String[][] values = {
        {"date", "'0044-03-15 BC'"}, {"date", "'2024-02-29'"}, {"date", "'2001-02-03'"},
        {"timestamp", "'2001-02-03 04:05:06.7'"}, {"timestamp", "'0044-03-15 12:00:00 BC'"},
        {"timestamptz", "'2001-02-03 04:05:06.7+05:30'"},
        {"timestamptz", "'0044-03-15 12:00:00+00 BC'"}, {"timetz", "'04:05:06-03:30'"},
        {"interval", "'-1 year +2 mons -3 days +04:05:06.5'"}, {"interval", "'-1 days'"},
        {"interval", "'1 year 2 mons -00:00:01'"}, {"interval", "'-2 mons 3 days'"},
        {"interval", "'-2562047788 hours -54.775808 secs'"}, {"_date", "'{2001-02-03}'"},
    };
    List<byte[]> sent = new ArrayList<>();
    for (String[] each : values) {
      sent.add(bytes("SELECT " + sendOf(each[0]).replace("(v", "((" + each[1] + ")::"
          + each[0])));
    }
    try {
      // pgjdbc closes its connection when DateStyle does not start with ISO.
      Sql.run(pg, "SET DateStyle = 'ISO, DMY'");
      Sql.run(pg, "SET IntervalStyle = sql_standard");
      Sql.run(pg, "SET TimeZone = 'America/St_Johns'");
      for (int i = 0; i < values.length; i++) {
        String decoded = BinaryFormat.decode(PgTypes.oid(values[i][0]), sent.get(i));
        try (PreparedStatement back = pg.prepareStatement("SELECT " + sendOf(values[i][0])
            .replace("(v", "(?::" + values[i][0]))) {
          back.setObject(1, decoded, Types.OTHER);
          try (ResultSet rs = back.executeQuery()) {
            rs.next();
            assertEquals(HEX.formatHex(sent.get(i)), HEX.formatHex(rs.getBytes(1)),
                values[i][1] + " decoded as " + decoded);
          }
        }
        checked++;
      }
    } finally {
      Sql.run(pg, "SET DateStyle = ISO");
      Sql.run(pg, "SET IntervalStyle = postgres");
      Sql.run(pg, "SET TimeZone = 'UTC'");
    }
  }

  @Test
  void pseudoTypesWithoutCasts() throws SQLException {
    assertArrayEquals(bytes("SELECT unknownsend('abc ü'::unknown)"),
        BinaryFormat.encode(PgTypes.oid("unknown"), "abc ü"));
    assertArrayEquals(bytes("SELECT cstring_send('abc'::cstring)"),
        BinaryFormat.encode(PgTypes.oid("cstring"), "abc"));
    assertArrayEquals(bytes("SELECT void_send(pg_sleep(0))"),
        BinaryFormat.encode(PgTypes.oid("void"), ""));
    assertEquals("abc ü", BinaryFormat.decode(PgTypes.oid("unknown"),
        bytes("SELECT unknownsend('abc ü'::unknown)")));
    assertEquals("", BinaryFormat.decode(PgTypes.oid("void"), new byte[0]));
    checked += 3;
  }

  private static byte[] bytes(String sql) throws SQLException {
    try (Statement statement = pg.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getBytes(1);
    }
  }

  @Test
  void unsupportedTypesAreRefused() throws SQLException {
    for (String type : List.of("money", "regclass", "int4range", "record", "_money",
        "tsvector", "aclitem", "_int4range")) {
      int oid = PgTypes.oid(type);
      assertTrue(oid != 0, type);
      assertFalse(BinaryFormat.supports(oid), type);
      SQLException e = assertThrows(SQLException.class, () -> BinaryFormat.encode(oid, "1"));
      assertEquals("0A000", e.getSQLState(), type);
      assertTrue(e.getMessage().contains(type), e.getMessage());
      assertEquals("0A000", assertThrows(SQLException.class,
          () -> BinaryFormat.decode(oid, new byte[8])).getSQLState(), type);
    }
    assertFalse(BinaryFormat.supports(0));
    assertFalse(BinaryFormat.supports(123456));
    assertEquals("0A000", assertThrows(SQLException.class,
        () -> BinaryFormat.encode(123456, "x")).getSQLState());
  }

  /**
   * Returns what PostgreSQL's {@code typreceive} of {@code type} makes of {@code value}, sent
   * back by its send function: the bytes go through binary COPY into a temporary table.
   */
  private static byte[] received(String type, byte[] value) throws SQLException {
    Sql.run(pg, "DROP TABLE IF EXISTS binary_format_received");
    Sql.run(pg, "CREATE TEMPORARY TABLE binary_format_received (v " + type + ")");
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(copy)) {
      out.write(HEX.parseHex("5047434f50590aff0d0a00")); // PGCOPY\n\377\r\n\0
      out.writeInt(0);
      out.writeInt(0);
      out.writeShort(1);
      out.writeInt(value.length);
      out.write(value);
      out.writeShort(-1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    try {
      pg.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY binary_format_received FROM"
          + " STDIN (FORMAT binary)", new ByteArrayInputStream(copy.toByteArray()));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes("SELECT " + sendOf(type) + " FROM binary_format_received");
  }

  private static String sendOf(String type) throws SQLException {
    try (PreparedStatement statement = pg.prepareStatement("SELECT t.typsend::regproc::text"
        + " || '(v' || CASE WHEN a.typtype = 'p' OR a.oid = t.oid THEN ''"
        + " ELSE '::' || a.oid::regtype::text END || ')' FROM pg_type t"
        + " JOIN pg_proc p ON p.oid = t.typsend JOIN pg_type a ON a.oid = p.proargtypes[0]"
        + " WHERE t.oid = ?::regtype")) {
      statement.setString(1, type);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /**
   * Bytes that PostgreSQL's receive functions accept but its send functions never produce
   * (digits a numeric's scale hides, zero digit groups, corners in either order, pad bits,
   * an array's NULL flag without NULLs, …) decode to text of the value receive makes of them.
   */
  @Test
  void decodeReadsWhatReceiveReads() throws SQLException {
    String[][] cases = {
        {"numeric", "000200000000000200010929"}, // 1.2345 shown with scale 2
        {"numeric", "0003000100000000000000050000"}, // zero groups around 5
        {"numeric", "00010000400000010000"}, // -0.0
        {"numeric", "0000000000000005"}, // 0.00000
        {"numeric", "00010000c00000050007"}, // NaN with a digit and a scale
        {"numeric", "00000000d0000000"}, // Infinity with scale 0
        {"numeric", "0001fffd000000040001"}, // 1e-12 shown with scale 4
        {"numeric", "0001000200000000270f"}, // 9999e8
        {"box", "00000000000000003ff00000000000004000000000000000bff0000000000000"},
        {"lseg", "3ff000000000000040000000000000004008000000000000c010000000000000"},
        {"_int4", "000000010000000100000017000000020000000100000004000000010000000400000002"},
        {"_int4", "0000000100000000000000170000000000000001"}, // no elements: empty
        {"_text", "00000002000000000000001900000001000000000000000300000005"
            + "000000016100000001620000000163"},
        {"bool", "02"},
        {"macaddr8", "08002b010203"},
        {"inet", "0220010401020304"}, // is_cidr set on an inet
        {"bit", "00000001ff"}, // pad bits set
        {"varbit", "0000000a80ff"},
        {"jsonb", "017b2022622220203a5b312c322e3530305d2c2261223a317d"},
        {"json", "207b2261223a317d20"},
        {"\"char\"", "00"},
        {"\"char\"", "e9"},
        {"float8", "8000000000000000"},
        {"float4", "00000001"},
        {"timetz", "000000000000000000000e10"},
        {"interval", "8000000000000000000000000000000a"},
        {"path", "000000000200000000000000003ff000000000000040000000000000004008000000000000"},
        {"polygon", "0000000100000000000000003ff0000000000000"},
        {"tid", "0000000a0001"},
        {"pg_lsn", "0000001600000001"},
        {"oidvector", "00000001000000000000001a00000002000000000000000400000001000000040000000c"},
        {"date", "80000000"},
        {"timestamptz", "7fffffffffffffff"},
        {"uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11"},
        {"bpchar", "61202020"},
        {"name", "c3bc6e69"},
        {"text", ""},
    };
    for (String[] each : cases) {
      byte[] value = HEX.parseHex(each[1]);
      String decoded = BinaryFormat.decode(PgTypes.oid(each[0]), value);
      byte[] expected = received(each[0], value);
      try (PreparedStatement back = pg.prepareStatement("SELECT " + sendOf(each[0])
          .replace("(v", "(?::" + each[0]))) {
        back.setObject(1, decoded, Types.OTHER);
        try (ResultSet rs = back.executeQuery()) {
          rs.next();
          assertEquals(HEX.formatHex(expected), HEX.formatHex(rs.getBytes(1)),
              each[0] + " " + each[1] + " decoded as " + decoded);
        }
      }
      checked++;
    }
  }

  /**
   * Malformed bytes are refused with 22P03, where PostgreSQL refuses them too: with 22P03 or,
   * when the value ends before its receive function has read it all, with 08P01
   * ({@code insufficient data left in message}); an unknown jsonb version is an internal
   * error (XX000) there.
   */
  @Test
  void malformedBinaryIsRefusedAsPostgresRefusesIt() throws SQLException {
    String[][] cases = {
        {"int4", "000001", "08P01"}, {"int4", "0000000001", "22P03"}, {"bool", "", "08P01"},
        {"int8", "00", "08P01"}, {"float8", "0000", "08P01"}, {"uuid", "00", "08P01"},
        {"date", "0000", "08P01"}, {"timestamptz", "00000000", "08P01"},
        {"interval", "0000000000000000", "08P01"}, {"numeric", "000000000000", "08P01"},
        {"numeric", "000100000000000027100000", "22P03"}, // digit 10000
        {"numeric", "0001000012340000", "22P03"}, // sign 0x1234
        {"numeric", "0000000000004000", "22P03"}, // scale 0x4000
        {"_int4", "ffffffff0000000000000017", "22P03"}, // -1 dimensions
        {"_int4", "000000010000000200000017", "22P03"}, // flags 2
        {"_int4", "00000001000000000000001700000001", "08P01"},
        {"_int4", "0000000100000000000000170000000100000001000000030000000100", "08P01"},
        {"inet", "0420000400000000", "22P03"}, // family 4
        {"inet", "0221000401020304", "22P03"}, // 33 bits
        {"cidr", "0208010401020304", "22P03"}, // bits right of the mask
        {"varbit", "0000000901", "08P01"}, {"jsonb", "027b7d", "XX000"},
        {"path", "0000000000", "22P03"}, {"polygon", "00000001", "08P01"},
        {"\"char\"", "4142", "22P03"}, {"time", "00", "08P01"},
        {"macaddr", "0102030405", "08P01"}, {"tid", "000000010001ff", "22P03"},
        {"int2vector", "00000002000000000000001500000001000000000000000100000000"
            + "000000020001", "22P03"}, // two dimensions
    };
    for (String[] each : cases) {
      int oid = PgTypes.oid(each[0]);
      String what = each[0] + " " + each[1];
      SQLException e = assertThrows(SQLException.class,
          () -> BinaryFormat.decode(oid, HEX.parseHex(each[1])), what);
      assertEquals("22P03", e.getSQLState(), what + ": " + e.getMessage());
      SQLException server = assertThrows(SQLException.class,
          () -> received(each[0], HEX.parseHex(each[1])), what);
      assertEquals(each[2], server.getSQLState(), what + ": " + server.getMessage());
    }
    for (String type : List.of("_int4", "int2vector")) {
      // Another element type: 42804 from array_recv.
      byte[] bytes = HEX.parseHex("000000010000000000000017000000010000000000000004ffffffff"
          .replace("00000017", type.equals("_int4") ? "00000019" : "00000017"));
      assertEquals("42804", assertThrows(SQLException.class,
          () -> BinaryFormat.decode(PgTypes.oid(type), bytes)).getSQLState(), type);
      assertEquals("42804", assertThrows(SQLException.class,
          () -> received(type, bytes)).getSQLState(), type);
    }
    assertEquals("42804", assertThrows(SQLException.class, () -> BinaryFormat.decode(
        PgTypes.oid("_int4"), HEX.parseHex("000000000000000000000019"))).getSQLState());
    assertEquals("22021", assertThrows(SQLException.class, () -> BinaryFormat.decode(
        PgTypes.oid("text"), HEX.parseHex("41ff"))).getSQLState());
    assertEquals("22021", assertThrows(SQLException.class, () -> BinaryFormat.decode(
        PgTypes.oid("text"), HEX.parseHex("4100"))).getSQLState());
    assertEquals("22008", assertThrows(SQLException.class, () -> BinaryFormat.decode(
        PgTypes.oid("time"), HEX.parseHex("ffffffffffffffff"))).getSQLState());
    assertEquals("22008", assertThrows(SQLException.class, () -> BinaryFormat.decode(
        PgTypes.oid("date"), HEX.parseHex("7ffffff0"))).getSQLState());
  }

  @Test
  void malformedTextIsRefused() {
    String[][] cases = {
        {"int4", "x"}, {"int4", "2147483648"}, {"int2", "40000"}, {"bool", "maybe"},
        {"float8", "1e400"}, {"float8", "0x10"}, {"numeric", "1.2.3"}, {"date", "2023-02-29"},
        {"timestamptz", "2024-01-01 00:00:00"}, {"uuid", "1234"}, {"_int4", "{1,{2}}"},
        {"_int4", "{{1,2},{3}}"}, {"_int4", "{1,2"}, {"_int4", "[1:3]={1,2}"},
        {"bytea", "\\x0"}, {"bytea", "\\q"}, {"interval", "1 fortnight"}, {"inet", "1.2.3"},
    };
    for (String[] each : cases) {
      int oid = PgTypes.oid(each[0]);
      SQLException e = assertThrows(SQLException.class, () -> BinaryFormat.encode(oid, each[1]),
          each[0] + " " + each[1]);
      assertTrue(e.getSQLState().startsWith("22"), each[0] + " " + each[1] + ": "
          + e.getSQLState());
    }
  }

  @Test
  void typeTableMatchesPgType() throws SQLException {
    int rows = 0;
    try (Statement statement = pg.createStatement();
        ResultSet rs = statement.executeQuery("SELECT t.oid, t.typname, t.typlen,"
            + " CASE WHEN t.typlen = -1 AND t.typname LIKE '\\_%' THEN t.typelem"
            + " ELSE 0 END FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem"
            + " WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.oid < 10000"
            + " AND (t.typtype IN ('b', 'p', 'r', 'm') AND t.typcategory <> 'A'"
            + " OR t.typcategory = 'A' AND e.typtype IN ('b', 'p', 'r', 'm'))")) {
      while (rs.next()) {
        int oid = rs.getInt(1);
        String name = rs.getString(2);
        assertEquals(oid, PgTypes.oid(name), name);
        assertEquals(name, PgTypes.name(oid), name);
        assertEquals(rs.getShort(3), PgTypes.length(oid), name);
        assertEquals(rs.getInt(4), PgTypes.arrayElement(oid), name);
        rows++;
      }
    }
    assertTrue(rows > 180, "pg_type rows: " + rows);
    assertEquals(0, PgTypes.oid("no_such_type"));
    assertEquals(0, PgTypes.oid(null));
    assertEquals(0, PgTypes.oid("pg_class"));
    assertEquals(0, PgTypes.arrayElement(23));
    assertEquals(0, PgTypes.arrayElement(PgTypes.oid("int2vector")));
    assertEquals(-1, PgTypes.length(123456));
    assertEquals(null, PgTypes.name(123456));
    String[][] spellings = {
        {"integer", "int4"}, {"int4[]", "_int4"}, {"character varying(10)", "varchar"},
        {"timestamp(3) with time zone", "timestamptz"}, {"numeric(10,2)[]", "_numeric"},
        {"\"char\"", "char"}, {"pg_catalog.int8", "int8"}, {"double precision", "float8"},
        {"INT4", "int4"}, {"\"_text\"", "_text"}, {"bit varying", "varbit"},
        {"character", "bpchar"}, {"boolean[]", "_bool"}, {"_int4[]", null},
    };
    for (String[] each : spellings) {
      assertEquals(each[1] == null ? 0 : PgTypes.oid(each[1]), PgTypes.oid(each[0]), each[0]);
    }
  }

  @Test
  void pgjdbcColumnTypeNamesAreFound() throws SQLException {
    for (String type : List.of("int4", "int8", "int2", "text", "varchar(5)", "char(3)",
        "bool", "numeric(10,2)", "float8", "float4", "timestamptz", "timestamp", "date",
        "time", "timetz", "interval", "\"char\"", "name", "oid", "json", "jsonb", "uuid",
        "bytea", "xml", "money", "inet", "cidr", "macaddr", "point", "regclass", "regtype",
        "int4[]", "text[]", "\"char\"[]", "timestamptz[]", "numeric[]", "bit(3)", "varbit",
        "record", "void")) {
      String sql = switch (type) {
        case "record" -> "SELECT ROW(1, 2), 'record'::regtype::oid";
        case "void" -> "SELECT pg_sleep(0), 'void'::regtype::oid";
        default -> "SELECT NULL::" + type + ", '" + type.replace("'", "''")
            + "'::regtype::oid";
      };
      try (Statement statement = pg.createStatement();
          ResultSet rs = statement.executeQuery(sql)) {
        rs.next();
        String name = rs.getMetaData().getColumnTypeName(1);
        assertEquals(rs.getInt(2), PgTypes.oid(name), type + " named " + name);
        assertEquals(PgTypes.oid(name), PgTypes.oid(PgTypes.name(PgTypes.oid(name))), name);
      }
    }
  }
}
