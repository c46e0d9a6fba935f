package io.spar.cli;

import io.spar.server.UsersFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code spar passwd FILE USER}: reads a password on standard input (without echo on a
 * terminal) and adds USER with it to the users file FILE, or replaces USER's password. The
 * file keeps a SCRAM-SHA-256 verifier of the password, which serves both HTTP BASIC and the
 * PostgreSQL wire protocol's SCRAM authentication; setting a password again also moves an
 * entry converted from an older {@code pbkdf2-sha256} hash to the cheaper default iteration
 * count.
 */
final class PasswdCommand {
  private final PrintStream out;

  PasswdCommand(PrintStream out) {
    this.out = out;
  }

  /** Sets the password of the user named in {@code args}. */
  void run(List<String> args) throws IOException {
    if (args.size() != 2) {
      throw new UsageException("spar passwd FILE USER");
    }
    Path file = Path.of(args.get(0));
    String user = args.get(1);
    char[] password = readPassword(user);
    if (password == null || password.length == 0) {
      throw new UsageException("no password given on standard input");
    }
    UsersFile.put(file, user, password);
    out.println("Set the password of " + user + " in " + file);
  }

  private static char[] readPassword(String user) throws IOException {
    Console console = System.console();
    if (console != null) {
      return console.readPassword("Password for %s: ", user);
    }
    // Not a terminal: the password is the first line of standard input, as scripts pipe it.
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    String line = in.readLine();
    return line == null ? null : line.toCharArray();
  }
}
