package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Values of PostgreSQL types that pgjdbc returns as driver objects (json, jsonb, uuid, inet,
 * void) travel through {@code spar serve}: the remote client reads the same text as an embedded
 * connection, on routed, multi-shard and coordinator statements.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteValuesTest {
  private static final String COLUMNS = "j::text, jb, u, ip, js";
  private ServedSpar server;

  @BeforeAll
  void start() throws Exception {
    server = ServedSpar.start("spar-values-test");
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE rv_typed (k int, j json, jb jsonb, u uuid, ip inet, js jsonb)");
      s.execute("SELECT master_create_distributed_table('rv_typed', 'k', 'hash')");
      s.execute("SELECT master_create_worker_shards('rv_typed', 4, 1)");
      s.execute("INSERT INTO rv_typed VALUES (1, '{\"a\": 1}', '{\"b\": [1, 2]}',"
          + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1/8', NULL)");
    }
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void remoteReadsTheEmbeddedText() throws Exception {
    for (String sql : List.of("SELECT " + COLUMNS + " FROM rv_typed WHERE k = 1",
        "SELECT " + COLUMNS + " FROM rv_typed",
        "SELECT pg_sleep(0) FROM rv_typed WHERE k = 1",
        "SELECT '{\"c\": 3}'::jsonb, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid")) {
      try (Connection embedded = server.embedded(); Connection remote = server.connect()) {
        assertEquals(rows(embedded, sql), rows(remote, sql), sql);
      }
    }
  }

  private static List<String> rows(Connection connection, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(String.join("|", row));
      }
    }
    return rows;
  }
}
