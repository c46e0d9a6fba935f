package io.spar.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import sqlline.SqlLine;

/**
 * {@code spar sql [URL] [SQLLINE-ARGS...]}: a sqlline shell on a {@code jdbc:spar:} or
 * {@code jdbc:avatica:remote:} URL. Without a URL it connects to the {@code spar serve} that
 * wrote {@code ./spar-data/client.properties}, or else embeds the local cluster under
 * {@code ./spar-data}. Other arguments, such as {@code -f script.sql}, go to sqlline.
 */
final class SqlCommand {
  /** Line width for output that goes to a file or pipe: wide enough not to cut plans short. */
  private static final int UNTERMINATED_WIDTH = 1000;

  /** Runs the shell and returns its exit status. */
  int run(List<String> args) throws IOException {
    List<String> rest = new ArrayList<>(args);
    String url = !rest.isEmpty() && rest.get(0).startsWith("jdbc:") ? rest.remove(0)
        : ClientSettings.defaultUrl();
    List<String> sqlline = new ArrayList<>(List.of("-u", url,
        // Credentials are in the URL; empty ones keep sqlline from prompting for them.
        "-n", "", "-p", "",
        // sqlline asks for REPEATABLE READ by default, which Spar does not offer.
        "--isolation=TRANSACTION_READ_COMMITTED"));
    if (System.console() == null) {
      // Without a terminal jline reports a width of 0 and sqlline would print empty columns.
      System.setProperty("org.jline.terminal.dumb", "true");
      sqlline.add("--maxWidth=" + UNTERMINATED_WIDTH);
    }
    sqlline.addAll(rest);
    SqlLine.Status status = SqlLine.start(sqlline.toArray(String[]::new), null, true);
    return status == SqlLine.Status.OK ? 0 : 1;
  }

}
