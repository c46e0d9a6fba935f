package io.spar.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * {@code spar status [URL | --local DIR [--workers N] | --coordinator URL]}: the nodes, the
 * distributed tables with their shard and placement counts, the placements by state, the shard
 * moves running (with their progress and an estimate of the time left) and the latest
 * rebalance's moves, read
 * from {@code pgs_distribution_metadata} through a Spar connection (embedded or remote). The
 * default is the same as {@code spar sql}'s.
 */
final class StatusCommand {
  // Every identifier is quoted: the statements go through Spar's parser, where a name such as
  // "partition" once was a keyword, and an alias such as "t" may also name a distributed table.
  private static final String STATE = "CASE \"shard_state\" WHEN 1 THEN 'FINALIZED'"
      + " WHEN 2 THEN 'CACHED' WHEN 3 THEN 'INACTIVE' WHEN 4 THEN 'TO_DELETE' END";
  private static final List<Section> SECTIONS = List.of(
      new Section("Nodes", """
          SELECT "n"."node_name", "n"."node_port", count("p"."id") AS "placements",
            "n"."should_have_shards"
          FROM "pgs_distribution_metadata"."node" AS "n"
          LEFT JOIN "pgs_distribution_metadata"."shard_placement" AS "p"
            ON "p"."node_name" = "n"."node_name" AND "p"."node_port" = "n"."node_port"
          GROUP BY "n"."node_name", "n"."node_port", "n"."should_have_shards"
          ORDER BY "n"."node_name", "n"."node_port"
          """),
      new Section("Distributed tables", """
          SELECT CAST("t"."relation_id" AS text) AS "table_name",
            CASE "t"."partition_method" WHEN 'h' THEN 'hash' WHEN 'r' THEN 'range'
              WHEN 'n' THEN 'reference' ELSE 'append' END AS "method",
            "t"."key" AS "distribution_column",
            count(DISTINCT "s"."id") AS "shards",
            count("p"."id") AS "placements",
            sum(CASE WHEN "p"."shard_state" = 1 THEN 1 ELSE 0 END) AS "finalized",
            sum(CASE WHEN "p"."shard_state" = 3 THEN 1 ELSE 0 END) AS "inactive"
          FROM "pgs_distribution_metadata"."partition" AS "t"
          LEFT JOIN "pgs_distribution_metadata"."shard" AS "s"
            ON "s"."relation_id" = "t"."relation_id"
          LEFT JOIN "pgs_distribution_metadata"."shard_placement" AS "p"
            ON "p"."shard_id" = "s"."id"
          GROUP BY "t"."relation_id", "t"."partition_method", "t"."key" ORDER BY 1"""),
      new Section("Placements by state", "SELECT " + STATE + " AS \"state\","
          + " count(DISTINCT \"shard_id\") AS \"shards\", count(*) AS \"placements\""
          + " FROM \"pgs_distribution_metadata\".\"shard_placement\""
          + " GROUP BY \"shard_state\" ORDER BY \"shard_state\""),
      new Section("Shard moves running", """
          SELECT "shard", "table_name", "from", "to", "transfer_mode", "phase",
            "bytes_copied", "bytes_total",
            CAST(date_trunc('second', "estimated_time_left") AS text) AS "time_left"
          FROM "pgs_distribution_metadata"."spar_move_progress" ORDER BY "started"
          """),
      new Section("Latest rebalance", """
          SELECT "plan", "move", "shard", "table_name", "from", "to", "state", "phase",
            "bytes_copied", "bytes_total", "error"
          FROM "pgs_distribution_metadata"."spar_rebalance_progress"
          WHERE "plan" = (SELECT max("plan")
            FROM "pgs_distribution_metadata"."spar_rebalance_progress")
          ORDER BY "move"
          """));

  private final PrintStream out;

  StatusCommand(PrintStream out) {
    this.out = out;
  }

  /** Prints the status of the Spar that {@code args} name. */
  void run(List<String> args) throws SQLException, IOException {
    Options options = Options.parse(args, ClusterTarget.OPTIONS, Set.of());
    String url;
    if (!options.positional().isEmpty()) {
      url = options.positional().get(0);
    } else if (options.has("--local") || options.has("--coordinator")) {
      url = ClusterTarget.from(options).sparUrl();
    } else {
      url = ClientSettings.defaultUrl();
    }
    try (Connection connection = DriverManager.getConnection(url, new Properties());
        Statement statement = connection.createStatement()) {
      for (Section section : SECTIONS) {
        out.println(section.title());
        try (ResultSet rs = statement.executeQuery(section.sql())) {
          ResultPrinter.print(rs, out);
        }
        out.println();
      }
    }
  }

  private record Section(String title, String sql) {
  }
}
