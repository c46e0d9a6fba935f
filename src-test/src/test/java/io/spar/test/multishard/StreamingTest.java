package io.spar.test.multishard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.test.SparTestCluster;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rows of a multi-shard query stream from the workers to the client: a JVM with a 256 MB heap
 * reads all 3,000,000 rows of a table whose rows would take far more than that in memory.
 */
class StreamingTest {
  private static final int ROWS = 3_000_000;

  @Test
  void selectStarOverThreeMillionRowsRunsIn256Megabytes() throws Exception {
    LocalCluster cluster = SparTestCluster.cluster();
    try (Connection spar = SparTestCluster.spar(); Statement s = spar.createStatement()) {
      s.execute("DROP TABLE IF EXISTS stream_rows");
      s.execute("CREATE TABLE stream_rows (id bigint NOT NULL, payload text)");
      s.execute("SELECT master_create_distributed_table('stream_rows', 'id', 'hash')");
      s.execute("SELECT master_create_worker_shards('stream_rows', 8, 1)");
      ShardRows.generate("stream_rows", "id, md5(id::text) || md5((-id)::text)", ROWS);
      try {
        String url = "jdbc:spar:coordinator=" + cluster.coordinator().jdbcUrl() + ";user="
            + LocalCluster.USER;
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
            "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            Client.class.getName(), url).redirectErrorStream(true).start();
        boolean ended = child.waitFor(10, TimeUnit.MINUTES);
        String output = new String(child.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8);
        assertTrue(ended, "the client did not end: " + output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("rows=" + ROWS + " bytes=" + (ROWS * 64L)), output);
      } finally {
        s.execute("DROP TABLE stream_rows");
      }
    }
  }

  /** The client in the small JVM: reads every row and prints how many, and their bytes. */
  public static final class Client {
    private Client() {
    }

    /**
     * Reads {@code SELECT * FROM stream_rows} through the Spar URL {@code args[0]}.
     *
     * @param args the URL
     * @throws SQLException if the query fails
     */
    public static void main(String[] args) throws SQLException {
      long rows = 0;
      long bytes = 0;
      try (Connection spar = DriverManager.getConnection(args[0]);
          Statement statement = spar.createStatement();
          ResultSet rs = statement.executeQuery("SELECT * FROM stream_rows")) {
        while (rs.next()) {
          rows++;
          bytes += rs.getString(2).length();
        }
      }
      System.out.println("rows=" + rows + " bytes=" + bytes);
      System.exit(0);
    }
  }
}
