package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.load.MixedWorkload;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.junit.jupiter.api.Test;

/**
 * {@code spar serve} with 300 remote clients, 100 of them running the mixed workload: no
 * statement fails, no node sees more of the server's pooled connections than its pool size,
 * and a client beyond the server's session limit is refused with 53300 at once.
 */
class RemoteLoadTest {
  private static final int CLIENTS = 300;
  private static final int ACTIVE = 100;
  private static final int POOL_SIZE = 24;
  private static final Duration DURATION =
      Duration.ofSeconds(Integer.getInteger("spar.remoteLoadSeconds", 30));

  @Test
  void threeHundredClientsHundredActive() throws Exception {
    try (ServedSpar server = ServedSpar.start("spar-remote-load", "--pool-size",
        String.valueOf(POOL_SIZE), "--max-sessions", String.valueOf(CLIENTS))) {
      try (Connection admin = server.connect()) {
        MixedWorkload.createTables(admin);
      }
      List<Connection> clients = new ArrayList<>();
      MixedWorkload workload = new MixedWorkload();
      Map<String, Long> most;
      try {
        for (int i = 0; i < CLIENTS; i++) {
          clients.add(server.connect());
        }
        // Avatica's remote driver opens the server-side connection on first use, and reports
        // a failure there as its runtime exception, which carries the SQLState.
        AvaticaClientRuntimeException refused = assertThrows(
            AvaticaClientRuntimeException.class, () -> {
              try (Connection beyond = server.connect(); Statement s = beyond.createStatement()) {
                s.execute("SELECT 1");
              }
            });
        assertEquals("53300", refused.getSqlState(), refused.getMessage());
        assertTrue(refused.getMessage().contains("sorry, too many clients already"),
            refused.getMessage());
        List<String> nodes = server.nodePorts().stream()
            .map(port -> "jdbc:postgresql://127.0.0.1:" + port + "/postgres").toList();
        try (MixedWorkload.PoolWatch watch = new MixedWorkload.PoolWatch(nodes, "postgres")) {
          workload.run(clients.subList(0, ACTIVE), DURATION);
          most = watch.most();
        }
        workload.verify(clients.get(CLIENTS - 1));
        MixedWorkload.dropTables(clients.get(CLIENTS - 1));
      } finally {
        for (Connection each : clients) {
          each.close();
        }
      }
      workload.assertClean("remote load, " + CLIENTS + " clients for " + DURATION, ACTIVE,
          most, server.nodePorts().size(), POOL_SIZE);
    }
  }
}
