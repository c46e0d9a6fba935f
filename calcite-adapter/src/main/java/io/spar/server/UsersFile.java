package io.spar.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users file of {@code spar serve}: one {@code USER:VERIFIER} line per user, where VERIFIER
 * is a SCRAM-SHA-256 verifier in PostgreSQL's form (see {@link ScramVerifier}); blank lines and
 * lines starting with {@code #} are ignored. Lines in the older
 * {@code USER:pbkdf2-sha256:ITERATIONS:SALT:HASH} form are read too and converted, and the file
 * is written back in the SCRAM form only, readable by its owner only.
 */
public final class UsersFile {
  private UsersFile() {
  }

  /** Reads the users and their password verifiers from {@code file}, in file order. */
  public static Map<String, ScramVerifier> read(Path file) throws IOException {
    Map<String, ScramVerifier> users = new LinkedHashMap<>();
    int lineNumber = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      try {
        if (colon <= 0) {
          throw new IllegalArgumentException("expected USER:" + ScramVerifier.SCHEME + "$...");
        }
        users.put(trimmed.substring(0, colon), ScramVerifier.parse(trimmed.substring(colon + 1)));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
      }
    }
    return users;
  }

  /**
   * Adds {@code user} with {@code password} to {@code file}, replacing an existing entry of the
   * same user and creating the file if needed. The other users' entries are kept; older
   * {@code pbkdf2-sha256} ones are written back as their converted SCRAM verifiers.
   */
  public static void put(Path file, String user, char[] password) throws IOException {
    if (user.isEmpty() || user.contains(":") || user.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("a user name must be non-empty, without ':' or spaces");
    }
    Map<String, ScramVerifier> users = Files.exists(file) ? read(file) : new LinkedHashMap<>();
    users.put(user, ScramVerifier.create(password));
    write(file, users);
  }

  private static void write(Path file, Map<String, ScramVerifier> users) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# Spar users: USER:" + ScramVerifier.SCHEME
        + "$ITERATIONS:SALT$STOREDKEY:SERVERKEY; edit with spar passwd FILE USER");
    users.forEach((user, verifier) -> lines.add(user + ":" + verifier.encode()));
    Path directory = file.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    // Written to a private temporary file and moved, so the file is never world-readable or
    // half-written, even for a moment.
    Path temp = Files.createTempFile(directory, ".spar-users", ".tmp");
    try {
      restrictToOwner(temp);
      Files.write(temp, lines, StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes {@code file} readable and writable by its owner only, where the file system can. */
  public static void restrictToOwner(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
