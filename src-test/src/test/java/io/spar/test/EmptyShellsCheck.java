package io.spar.test;

import io.spar.engine.cluster.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test case for issue 8 (shell tables never serve or absorb data): after every test class, the
 * coordinator of the shared test cluster must hold zero rows in the table of every distributed
 * table. Registered for every class through JUnit's extension auto-detection.
 */
public final class EmptyShellsCheck implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    LocalCluster cluster = SparTestCluster.startedCluster();
    if (cluster == null) {
      return;
    }
    List<String> filled = new ArrayList<>();
    try (Connection coordinator = SparTestCluster.coordinator();
        Statement statement = coordinator.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery("SELECT relation_id::regclass::text"
          + " FROM pgs_distribution_metadata.partition")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      } catch (SQLException e) {
        if ("42P01".equals(e.getSQLState())) {
          return; // no engine ever started on this cluster, so nothing is distributed
        }
        throw e;
      }
      for (String each : tables) {
        try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM ONLY " + each)) {
          rs.next();
          if (rs.getLong(1) > 0) {
            filled.add(each + " (" + rs.getLong(1) + " rows)");
          }
        }
      }
    }
    if (!filled.isEmpty()) {
      throw new AssertionError("after " + context.getDisplayName() + ", the coordinator's"
          + " tables of distributed tables hold rows: " + filled);
    }
  }
}
