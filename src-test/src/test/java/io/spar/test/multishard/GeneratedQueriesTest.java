package io.spar.test.multishard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test of generated multi-shard SELECTs ({@link QueryGenerator}) against plain
 * PostgreSQL: every query must give PostgreSQL's answer, or PostgreSQL's error. Runs 2,000
 * queries by default; {@code -Dspar.generatedQueries=20000} runs more, and
 * {@code -Dspar.generatorSeed=N} another sequence.
 */
class GeneratedQueriesTest {
  private static final int QUERIES = Integer.getInteger("spar.generatedQueries", 2000);
  private static final long SEED = Long.getLong("spar.generatorSeed", 9L);
  private static Connection spar;
  private static Connection reference;

  @BeforeAll
  static void load() throws SQLException {
    SparTestCluster.cluster();
    spar = SparTestCluster.spar();
    reference = ShopFixture.reference();
    ShopFixture.load(spar, reference);
  }

  @AfterAll
  static void close() throws SQLException {
    if (reference != null) {
      ShopFixture.dropReference(reference);
      reference.close();
    }
    if (spar != null) {
      spar.close();
    }
  }

  @Test
  void generatedQueriesAnswerAsPostgres() throws SQLException {
    QueryGenerator generator = new QueryGenerator(SEED);
    List<String> failures = new ArrayList<>();
    int referenceErrors = 0;
    for (int i = 0; i < QUERIES; i++) {
      String sql = generator.next();
      boolean ordered = sql.contains(" LIMIT ") || sql.contains("DISTINCT ON");
      Differential.Outcome expected = Differential.run(reference, sql);
      Differential.Outcome actual = Differential.run(spar, sql);
      referenceErrors += expected.failed() ? 1 : 0;
      String difference = Differential.difference(expected, actual, ordered);
      if (difference != null) {
        failures.add("#" + i + " " + sql + "\n  " + difference);
        if (actual.failed() && spar.isClosed()) {
          spar = SparTestCluster.spar();
        }
      }
    }
    System.out.println("GeneratedQueriesTest: " + QUERIES + " queries (seed " + SEED + "), "
        + failures.size() + " differ, " + referenceErrors + " are errors on PostgreSQL too");
    assertTrue(failures.isEmpty(), failures.size() + " of " + QUERIES + " generated queries"
        + " differ from PostgreSQL:\n" + String.join("\n", failures.subList(0,
            Math.min(25, failures.size()))));
    assertTrue(referenceErrors * 20 < QUERIES, "the generator writes too many invalid queries: "
        + referenceErrors);
  }
}
