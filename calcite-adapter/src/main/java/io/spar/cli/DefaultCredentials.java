package io.spar.cli;

import io.spar.server.UsersFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The users file that {@code spar serve} makes for itself when given none: user {@code spar}
 * with a generated password, which is also kept in {@link ClientSettings} so that clients on
 * this machine can connect without being told it.
 *
 * @param user the generated user
 * @param password its password, or null when it is no longer known (the users file existed
 *     but the client settings are gone)
 */
record DefaultCredentials(String user, String password) {
  /** Name of the users file in the state directory. */
  static final String USERS_FILE = "spar-users";

  private static final String USER = "spar";
  // Letters and digits only, so the password needs no escaping inside a JDBC URL.
  private static final String ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final int PASSWORD_LENGTH = 24;

  /** Returns the default users file of {@code stateDirectory}. */
  static Path usersFile(Path stateDirectory) {
    return stateDirectory.resolve(USERS_FILE);
  }

  /**
   * Makes sure the default users file exists, creating it with a new password for {@code spar}
   * if not, and returns the credentials.
   */
  static DefaultCredentials ensure(Path stateDirectory) throws IOException {
    Path file = usersFile(stateDirectory);
    if (!Files.exists(file)) {
      String password = generatePassword();
      UsersFile.put(file, USER, password.toCharArray());
      return new DefaultCredentials(USER, password);
    }
    Optional<ClientSettings> known = ClientSettings.read(stateDirectory);
    return new DefaultCredentials(USER, known.map(ClientSettings::password).orElse(null));
  }

  private static String generatePassword() {
    SecureRandom random = new SecureRandom();
    StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }
}
