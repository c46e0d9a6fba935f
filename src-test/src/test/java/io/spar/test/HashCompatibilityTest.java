package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.hashing.PartitionType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end check that {@link PartitionType#hash} and {@link PartitionType#toText} agree bit-for-bit with a real
 * PostgreSQL server's hash opclass functions and output functions, for at least 100,000 values of every type.
 */
class HashCompatibilityTest {

  private static final int COUNT = 100_000;
  private static final int BATCH = 10_000;
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  @TempDir
  static Path dir;

  private static LocalCluster cluster;
  private static Connection connection;

  @BeforeAll
  static void startServer() throws IOException, SQLException {
    cluster = LocalCluster.start(dir.resolve("cluster"), 0);
    connection = DriverManager.getConnection(cluster.coordinator().jdbcUrl(), LocalCluster.USER, "");
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      statement.execute("SET DateStyle = 'ISO, YMD'");
    }
  }

  @AfterAll
  static void stopServer() throws SQLException {
    if (connection != null) {
      connection.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The SQL expressions below stand in for these opclass functions, so the test first pins them down. */
  @Test
  void defaultHashOpclassesUseTheExpectedFunctions() throws SQLException {
    Map<String, String> actual = new HashMap<>();
    String sql = "SELECT t.typname, p.amproc::regproc::text FROM pg_opclass c"
        + " JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'hash'"
        + " JOIN pg_amproc p ON p.amprocfamily = c.opcfamily AND p.amprocnum = 1"
        + "  AND p.amproclefttype = c.opcintype AND p.amprocrighttype = c.opcintype"
        + " JOIN pg_type t ON t.oid = c.opcintype WHERE c.opcdefault";
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        actual.put(rs.getString(1), rs.getString(2));
      }
    }
    Map<String, String> expected = Map.ofEntries(Map.entry("int2", "hashint2"), Map.entry("int4", "hashint4"),
        Map.entry("int8", "hashint8"), Map.entry("text", "hashtext"), Map.entry("bpchar", "hashbpchar"),
        Map.entry("date", "hashint4"), Map.entry("timestamp", "timestamp_hash"),
        Map.entry("timestamptz", "timestamp_hash"), Map.entry("uuid", "uuid_hash"), Map.entry("bool", "hashchar"),
        Map.entry("numeric", "hash_numeric"));
    expected.forEach((type, function) -> assertEquals(function, actual.get(type), "hash opclass of " + type));
  }

  @Test
  void int2() throws SQLException {
    List<Object> values = new ArrayList<>();
    for (int v = Short.MIN_VALUE; v <= Short.MAX_VALUE; v++) {
      values.add((long) v);
    }
    Random random = new Random(2);
    while (values.size() < COUNT) {
      values.add((long) (short) random.nextInt());
    }
    verify(PartitionType.INT2, values, "hashint2(v::int2)");
  }

  @Test
  void int4() throws SQLException {
    verify(PartitionType.INT4, integers(4, Integer.MIN_VALUE, Integer.MAX_VALUE), "hashint4(v::int4)");
  }

  @Test
  void int8() throws SQLException {
    verify(PartitionType.INT8, integers(8, Long.MIN_VALUE, Long.MAX_VALUE), "hashint8(v::int8)");
  }

  @Test
  void text() throws SQLException {
    verify(PartitionType.TEXT, strings(new Random(10), ""), "hashtext(v::text)");
  }

  @Test
  void varchar() throws SQLException {
    verify(PartitionType.VARCHAR, strings(new Random(11), ""), "hashtext(v::varchar)");
  }

  @Test
  void bpchar() throws SQLException {
    List<Object> padded = strings(new Random(12), "   ");
    verify(PartitionType.BPCHAR, padded, "hashbpchar(v::bpchar)");
  }

  @Test
  void date() throws SQLException {
    Random random = new Random(20);
    List<Object> values = new ArrayList<>();
    for (int i = -50_000; values.size() < COUNT / 2; i++) {
      values.add(LocalDate.of(2000, 1, 1).plusDays(i)); // every day from 1863 to 2136
    }
    long min = LocalDate.of(-4713, 11, 24).toEpochDay();
    long max = LocalDate.of(999_999, 12, 31).toEpochDay();
    while (values.size() < COUNT) {
      values.add(LocalDate.ofEpochDay(min + (long) (random.nextDouble() * (max - min))));
    }
    verify(PartitionType.DATE, values, "hashint4(v::date - date '2000-01-01')");
  }

  @Test
  void timestamp() throws SQLException {
    verify(PartitionType.TIMESTAMP, timestamps(new Random(30)), "timestamp_hash(v::timestamp)");
  }

  @Test
  void timestamptz() throws SQLException {
    List<Object> instants = new ArrayList<>();
    for (Object ts : timestamps(new Random(31))) {
      instants.add(((LocalDateTime) ts).toInstant(ZoneOffset.UTC));
    }
    // timestamp_hash is not callable on timestamptz in SQL; AT TIME ZONE 'UTC' yields the identical int64.
    verify(PartitionType.TIMESTAMPTZ, instants, "timestamp_hash(v::timestamptz AT TIME ZONE 'UTC')");
  }

  @Test
  void uuid() throws SQLException {
    Random random = new Random(40);
    List<Object> values = new ArrayList<>(List.of(new UUID(0, 0), new UUID(-1, -1), new UUID(Long.MIN_VALUE, 0)));
    while (values.size() < COUNT) {
      values.add(random.nextInt(10) == 0 ? UUID.randomUUID() : new UUID(random.nextLong(), random.nextLong()));
    }
    verify(PartitionType.UUID, values, "uuid_hash(v::uuid)");
  }

  @Test
  void bool() throws SQLException {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      values.add(i % 2 == 0);
    }
    verify(PartitionType.BOOL, values, "hashchar(v::bool::int::\"char\")");
  }

  @Test
  void numeric() throws SQLException {
    Random random = new Random(50);
    List<Object> values = new ArrayList<>(List.of(BigDecimal.ZERO, new BigDecimal("0.000"), new BigDecimal("0.10"),
        new BigDecimal("0.1"), new BigDecimal("-0.1"), new BigDecimal("1E+100"), new BigDecimal("1E-100")));
    while (values.size() < COUNT) {
      BigInteger unscaled = new BigInteger(1 + random.nextInt(random.nextBoolean() ? 40 : 130), random);
      BigDecimal value = new BigDecimal(random.nextBoolean() ? unscaled : unscaled.negate(), random.nextInt(60) - 20);
      values.add(random.nextInt(5) == 0 ? value.setScale(Math.max(0, value.scale()) + random.nextInt(4)) : value);
    }
    verify(PartitionType.NUMERIC, values, "hash_numeric(v::numeric)");
  }

  private static List<Object> integers(long seed, long min, long max) {
    Random random = new Random(seed);
    List<Object> values = new ArrayList<>(List.of(min, max, min + 1, max - 1, 0L));
    for (long v = -20_000; v <= 20_000; v++) {
      values.add(v);
    }
    for (int bit = 0; bit < 63 && (1L << bit) <= max; bit++) {
      values.add(1L << bit);
      values.add(-(1L << bit));
      values.add((1L << bit) - 1);
    }
    while (values.size() < COUNT) {
      long v = switch (random.nextInt(3)) {
        case 0 -> random.nextLong();
        case 1 -> random.nextInt();
        default -> random.nextInt(1_000_000) - 500_000;
      };
      values.add(Math.max(min, Math.min(max, v)) == v ? v : v % (max / 2));
    }
    return values;
  }

  /** Builds strings of 0 to ~200 characters mixing ASCII, Latin-1, CJK and astral (4-byte UTF-8) code points. */
  private static List<Object> strings(Random random, String suffixPool) {
    int[][] ranges = {{0x20, 0x7e}, {0xa0, 0x24f}, {0x4e00, 0x9fff}, {0x1f300, 0x1faff}, {0x1, 0x1f}};
    List<Object> values = new ArrayList<>(List.of("", " ", "a", "abc", "abcd", "abcdefghijkl", "  x  "));
    while (values.size() < COUNT) {
      int length = random.nextInt(8) == 0 ? random.nextInt(200) : random.nextInt(30);
      StringBuilder sb = new StringBuilder();
      int[] range = ranges[random.nextInt(4) == 0 ? random.nextInt(ranges.length) : 0];
      for (int i = 0; i < length; i++) {
        sb.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
      }
      sb.append(suffixPool, 0, suffixPool.isEmpty() ? 0 : random.nextInt(suffixPool.length() + 1));
      values.add(sb.toString());
    }
    return values;
  }

  /** Builds timestamps with microseconds: dense around 2000, then anywhere from 4713 BC to 275,791 AD. */
  private static List<Object> timestamps(Random random) {
    List<Object> values = new ArrayList<>();
    LocalDateTime epoch = LocalDateTime.of(2000, 1, 1, 0, 0);
    long min = -2_451_545L * MICROS_PER_DAY; // 4714-11-24 BC
    long max = 100_000_000L * MICROS_PER_DAY; // 275,791 AD; more would overflow max - min
    while (values.size() < COUNT) {
      long micros = switch (random.nextInt(3)) {
        case 0 -> random.nextInt() * 1_000L + random.nextInt(1000) - 500;
        case 1 -> (long) (random.nextGaussian() * 50 * 365 * MICROS_PER_DAY);
        default -> min + (long) (random.nextDouble() * (max - min));
      };
      values.add(epoch.plus(micros, ChronoUnit.MICROS));
    }
    return values;
  }

  /**
   * Sends the values' PostgreSQL text forms in batches, has the server cast each one to the type and hash it, and
   * compares hash and text output with the Java side.
   */
  private static void verify(PartitionType type, List<Object> values, String hashExpression) throws SQLException {
    assertTrue(values.size() >= COUNT, "too few values");
    // format() applies the output function; bool's cast to text would spell 'true' instead of 't'.
    String textExpression =
        type == PartitionType.BOOL ? "format('%s', v::bool)" : "(v::" + type.typeName() + ")::text";
    String sql = "SELECT " + hashExpression + ", " + textExpression
        + " FROM unnest(?::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n";
    StringBuilder report = new StringBuilder();
    int mismatches = 0;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int from = 0; from < values.size(); from += BATCH) {
        List<Object> batch = values.subList(from, Math.min(values.size(), from + BATCH));
        mismatches += verifyBatch(type, statement, batch, report);
      }
    }
    if (mismatches > 0) {
      fail(mismatches + " of " + values.size() + " " + type.typeName() + " values differ:" + report);
    }
  }

  /** Runs one batch and returns the number of values whose hash, text form or round trip differ. */
  private static int verifyBatch(PartitionType type, PreparedStatement statement, List<Object> batch,
      StringBuilder report) throws SQLException {
    // Strings go over as they are, so that e.g. bpchar's trailing spaces reach the server.
    String[] texts = batch.stream().map(v -> v instanceof String s ? s : type.toText(v)).toArray(String[]::new);
    Array array = connection.createArrayOf("text", texts);
    statement.setArray(1, array);
    int mismatches = 0;
    try (ResultSet rs = statement.executeQuery()) {
      for (int i = 0; i < batch.size(); i++) {
        rs.next();
        Object canonical = type.coerce(batch.get(i));
        int serverHash = rs.getInt(1);
        String serverText = rs.getString(2);
        boolean same = type.hash(canonical) == serverHash && type.toText(canonical).equals(serverText)
            && type.compare(type.parseText(serverText), canonical) == 0;
        if (!same && mismatches++ < 10) {
          report.append(String.format("%n  %s: java hash %d text '%s', server hash %d text '%s'",
              texts[i], type.hash(canonical), type.toText(canonical), serverHash, serverText));
        }
      }
    } finally {
      array.free();
    }
    return mismatches;
  }
}
