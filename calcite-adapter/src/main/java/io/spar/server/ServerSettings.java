package io.spar.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.calcite.avatica.remote.Driver.Serialization;

/**
 * How {@link SparServer} serves.
 *
 * @param port TCP port to listen on (0 for any free port)
 * @param serialization wire format of Avatica requests and responses
 * @param usersFile users file for BASIC authentication, or null to serve without
 *     authentication
 * @param tlsKeystore keystore with the server's TLS key and certificate, or null for plain
 *     HTTP
 * @param tlsPassword password of the keystore
 * @param idleTimeout how long an unused remote connection is kept open
 * @param address the address to listen on
 */
public record ServerSettings(int port, Serialization serialization, Path usersFile,
    Path tlsKeystore, String tlsPassword, Duration idleTimeout, InetAddress address) {
  /** Port of {@code spar serve} unless told otherwise (Avatica's customary port). */
  public static final int DEFAULT_PORT = 8765;
  /** Idle timeout of remote connections unless told otherwise. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  /** Returns whether clients must authenticate. */
  public boolean authenticated() {
    return usersFile != null;
  }

  /** Returns whether the server speaks HTTPS. */
  public boolean tls() {
    return tlsKeystore != null;
  }
}
