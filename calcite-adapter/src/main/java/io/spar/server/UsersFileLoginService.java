package io.spar.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.security.AbstractLoginService;

/**
 * Jetty login service over a {@link UsersFile}: every user in the file may use the server.
 * The file is read when the server starts.
 */
final class UsersFileLoginService extends AbstractLoginService {
  /** The one role of the server; every authenticated user has it. */
  static final String ROLE = "spar";

  /** One credential per user for the server's life, so each remembers verified passwords. */
  private final Map<String, HashedPasswordCredential> users = new HashMap<>();

  UsersFileLoginService(Path file) throws IOException {
    UsersFile.read(file).forEach((user, verifier) ->
        users.put(user, new HashedPasswordCredential(verifier)));
    if (users.isEmpty()) {
      throw new IOException("no users in " + file + "; add one with: spar passwd " + file
          + " USER");
    }
    setName("Spar");
  }

  @Override
  protected String[] loadRoleInfo(UserPrincipal user) {
    return new String[] {ROLE};
  }

  @Override
  protected UserPrincipal loadUserInfo(String username) {
    HashedPasswordCredential credential = users.get(username);
    return credential == null ? null : new UserPrincipal(username, credential);
  }
}
