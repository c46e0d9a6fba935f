package io.spar.cli;

import io.spar.server.UsersFile;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code client.properties} in the server's state directory: how to reach the running
 * {@code spar serve} ({@code url}, credentials included when the server generated them), so
 * that {@code spar sql} and {@code spar status} find it without arguments. Readable by its
 * owner only, since it may hold a password.
 *
 * @param url JDBC URL of the server
 * @param user user that {@code spar serve} generated, or null
 * @param password password of that user, or null
 */
record ClientSettings(String url, String user, String password) {
  private static final String FILE = "client.properties";

  /** Returns the settings in {@code stateDirectory}, if {@code spar serve} wrote any. */
  static Optional<ClientSettings> read(Path stateDirectory) throws IOException {
    Path file = stateDirectory.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    return Optional.of(new ClientSettings(properties.getProperty("url"),
        properties.getProperty("user"), properties.getProperty("password")));
  }

  /**
   * Returns the URL that works with {@code spar serve}'s defaults: the server's, if it wrote
   * its settings under {@code ./spar-data}, or else the embedded local cluster there.
   */
  static String defaultUrl() throws IOException {
    Path directory = ClusterTarget.DEFAULT_DIRECTORY.toAbsolutePath();
    return read(directory).map(ClientSettings::url)
        .orElse("jdbc:spar:local=" + directory + ";workers=2");
  }

  /** Writes these settings to {@code stateDirectory}. */
  void write(Path stateDirectory) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("url", url);
    if (user != null && password != null) {
      properties.setProperty("user", user);
      properties.setProperty("password", password);
    }
    Files.createDirectories(stateDirectory);
    Path file = stateDirectory.resolve(FILE);
    if (!Files.exists(file)) {
      Files.createFile(file);
    }
    // Restricted before the password is written, not after.
    UsersFile.restrictToOwner(file);
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(writer, "Written by spar serve: how spar sql and spar status connect");
    }
  }
}
