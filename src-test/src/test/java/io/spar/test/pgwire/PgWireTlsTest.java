package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.pgwire.PgWireServer;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * SSLRequest on Spar's PostgreSQL port, with a keystore made by the JDK's keytool: pgjdbc and
 * psql connect with {@code sslmode=require}, and {@code requireTls} refuses clients without TLS.
 */
class PgWireTlsTest {
  private static final String STORE_PASSWORD = "changeit";

  @Test
  void clientsConnectOverTlsAndPlainClientsAreRefused() throws Exception {
    Path directory = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
    Path keystore = directory.resolve("spar.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "keytool").toString(), "-genkeypair", "-alias", "spar", "-keyalg", "RSA", "-keysize",
        "2048", "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String keytoolOutput = new String(keytool.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), keytoolOutput);
    try (Connection keep = SparTestCluster.embedded();
        PgWireServer server = PgWireServer.start(keep.unwrap(SparSession.class).engine(),
            new PgWireServer.Settings(List.of(InetAddress.getLoopbackAddress()), 0, null,
                PgWireServer.tls(keystore, STORE_PASSWORD), true))) {
      String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.database();
      Properties tls = new Properties();
      tls.setProperty("user", "tls_user");
      tls.setProperty("sslmode", "require");
      tls.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
      try (Connection secured = DriverManager.getConnection(url, tls)) {
        assertEquals(List.of("7"), Sql.strings(secured, "SELECT 3 + 4"));
      }
      Properties plain = new Properties();
      plain.setProperty("user", "tls_user");
      plain.setProperty("sslmode", "disable");
      SQLException refused = assertThrows(SQLException.class,
          () -> DriverManager.getConnection(url, plain));
      assertEquals("28000", refused.getSQLState(), refused.getMessage());
      ProcessBuilder psql = new ProcessBuilder("psql", "-X", "-A", "-t", "-c", "SELECT 6 * 7",
          "host=127.0.0.1 port=" + server.port() + " dbname=" + server.database()
              + " user=tls_user sslmode=require");
      psql.redirectErrorStream(true);
      Process process = psql.start();
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      assertEquals(0, process.waitFor(), output);
      assertTrue(output.strip().equals("42"), output);
    }
  }
}
