package io.spar.planner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.spar.engine.cluster.LocalCluster;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tests of {@link PgNumeric} against PostgreSQL itself: every quotient and deviation must equal
 * the server's in value and scale.
 */
final class PgNumericTest {

  @Test
  void divisionScaleFollowsSelectDivScale() {
    // Values checked on PostgreSQL 15: SELECT 538749::numeric / 225 and so on.
    assertEquals("2394.4400000000000000",
        PgNumeric.divide(new BigDecimal("538749"), new BigDecimal("225")).toPlainString());
    assertEquals("0.33333333333333333333",
        PgNumeric.divide(BigDecimal.ONE, new BigDecimal("3")).toPlainString());
    assertEquals("3333.3333333333333333",
        PgNumeric.divide(new BigDecimal("10000"), new BigDecimal("3")).toPlainString());
    assertNull(PgNumeric.divide(null, BigDecimal.ONE));
  }

  @Test
  void matchesPostgresOnManyValues() throws Exception {
    Random random = new Random(42);
    List<BigDecimal[]> pairs = new ArrayList<>();
    String[] fixed = {"1", "3", "538749", "225", "-7", "2", "0.5", "3", "12.345", "0.007",
        "99999999", "1", "1", "99999999", "0", "5", "100000000000000000000", "7"};
    for (int i = 0; i < fixed.length; i += 2) {
      pairs.add(new BigDecimal[] {new BigDecimal(fixed[i]), new BigDecimal(fixed[i + 1])});
    }
    for (int i = 0; i < 300; i++) {
      BigDecimal a = BigDecimal.valueOf(random.nextLong() % 10_000_000_000L, random.nextInt(6));
      BigDecimal b = BigDecimal.valueOf(1 + random.nextInt(1_000_000), random.nextInt(4));
      pairs.add(new BigDecimal[] {a, b});
    }
    try (LocalCluster cluster = LocalCluster.start(Path.of("target", "pg-numeric-cluster"), 0);
        Connection pg = DriverManager.getConnection(cluster.coordinator().jdbcUrl(),
            LocalCluster.USER, "");
        PreparedStatement div = pg.prepareStatement("SELECT ?::numeric / ?::numeric");
        PreparedStatement dev = pg.prepareStatement("SELECT var_samp(x), stddev_samp(x),"
            + " var_pop(x), stddev_pop(x), sum(x), sum(x * x), count(x)"
            + " FROM unnest(?::numeric[]) AS t(x)")) {
      for (BigDecimal[] pair : pairs) {
        div.setString(1, pair[0].toPlainString());
        div.setString(2, pair[1].toPlainString());
        assertEquals(single(div), PgNumeric.divide(pair[0], pair[1]),
            pair[0] + " / " + pair[1]);
      }
      for (int i = 0; i < 40; i++) {
        List<String> values = new ArrayList<>();
        for (int j = 0; j < 1 + random.nextInt(30); j++) {
          values.add(BigDecimal.valueOf(random.nextInt(10_000) - 100, i % 3).toPlainString());
        }
        dev.setString(1, "{" + String.join(",", values) + "}");
        try (ResultSet rs = dev.executeQuery()) {
          rs.next();
          BigDecimal sum = rs.getBigDecimal(5);
          BigDecimal squares = rs.getBigDecimal(6);
          long count = rs.getLong(7);
          assertEquals(rs.getBigDecimal(1), PgNumeric.variance(sum, squares, count, true, false));
          assertEquals(rs.getBigDecimal(2), PgNumeric.variance(sum, squares, count, true, true));
          assertEquals(rs.getBigDecimal(3), PgNumeric.variance(sum, squares, count, false, false));
          assertEquals(rs.getBigDecimal(4), PgNumeric.variance(sum, squares, count, false, true),
              values::toString);
        }
      }
    }
  }

  private static BigDecimal single(PreparedStatement statement) throws Exception {
    try (ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }
}
