package io.spar.cli;

import java.util.Locale;
import org.apache.calcite.avatica.remote.Driver.Serialization;

/** Builds the Avatica remote JDBC URL of a {@code spar serve}. */
final class RemoteUrl {
  private RemoteUrl() {
  }

  /**
   * Returns {@code jdbc:avatica:remote:url=http(s)://localhost:PORT;serialization=…} with BASIC
   * credentials when {@code user} is not null.
   */
  static String of(int port, boolean tls, Serialization serialization, String user,
      String password) {
    StringBuilder url = new StringBuilder("jdbc:avatica:remote:url=")
        .append(tls ? "https" : "http").append("://localhost:").append(port)
        .append(";serialization=").append(serialization.name().toUpperCase(Locale.ROOT));
    if (user != null) {
      url.append(";authentication=BASIC;avatica_user=").append(user)
          .append(";avatica_password=").append(password);
    }
    return url.toString();
  }
}
