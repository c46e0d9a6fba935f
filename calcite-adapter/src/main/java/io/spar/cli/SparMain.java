package io.spar.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Command-line entry point of {@code bin/spar}.
 *
 * <ul>
 *   <li>{@code spar serve [--local DIR [--workers N] | --coordinator URL] [--port 8765]
 *       [--pool-size N] [--pool-wait MS] [--max-sessions N]
 *       [--auth-file FILE | --no-auth] [--serialization protobuf|json]
 *       [--tls-keystore FILE --tls-password P] [--idle-timeout SECONDS]} runs the remote server
 *       ({@code start} is another name for it);
 *   <li>{@code spar sql [URL] [SQLLINE-ARGS...]} opens a sqlline shell;
 *   <li>{@code spar status [URL | --local DIR | --coordinator URL]} shows nodes, tables, shards
 *       and placements;
 *   <li>{@code spar passwd FILE USER} sets a user's password in a users file;
 *   <li>{@code spar exec [--local DIR | --coordinator URL] SQL...} runs statements embedded and
 *       prints their results.
 * </ul>
 */
public final class SparMain {
  private static final String USAGE = """
      usage: spar serve [--local DIR [--workers N] | --coordinator URL] [--port 8765]
                        [--pool-size N] [--pool-wait MS] [--max-sessions N]
                        [--auth-file FILE | --no-auth] [--serialization protobuf|json]
                        [--tls-keystore FILE --tls-password P] [--idle-timeout SECONDS]
                        [--pg-port 5433 (0: off)] [--pg-require-tls]
                        [--listen ADDRESS[,ADDRESS]] [--allow-plaintext-passwords]
                        [--schema-based-sharding]
             spar sql [URL] [SQLLINE-ARGS...]
             spar status [URL | --local DIR [--workers N] | --coordinator URL]
             spar passwd FILE USER            (password on standard input)
             spar exec [--local DIR [--workers N] | --coordinator URL] SQL...""";

  private SparMain() {
  }

  /** Runs the command in {@code args} and exits with its status. */
  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    String command = rest.isEmpty() ? "serve" : rest.remove(0);
    int status;
    try {
      status = run(command, rest);
    } catch (UsageException e) {
      System.err.println("spar " + command + ": " + e.getMessage());
      System.err.println(USAGE);
      status = 2;
    } catch (Exception e) {
      // Reported here, as the uncaught handler would; then the process must end, or the
      // threads the command started (pools, the cluster's, the server's) keep it alive.
      System.err.println("spar " + command + ": failed");
      e.printStackTrace();
      status = 1;
    }
    // Pools and server threads may linger after a command is done; the command is the process.
    System.exit(status);
  }

  private static int run(String command, List<String> args) throws Exception {
    switch (command) {
      case "serve", "start" -> new ServeCommand(System.out).run(args);
      case "sql" -> {
        return new SqlCommand().run(args);
      }
      case "status" -> new StatusCommand(System.out).run(args);
      case "passwd" -> new PasswdCommand(System.out).run(args);
      case "exec" -> new ExecCommand(System.out).run(args);
      case "help", "--help", "-h" -> System.out.println(USAGE);
      default -> throw new UsageException("unknown command " + command);
    }
    return 0;
  }
}
