package io.spar.engine.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cached, freshly initdb'ed data directory that new nodes are copied from, because copying (~0.2 s) is much faster
 * than running initdb (~1-3 s) for every node.
 */
final class PgTemplate {

  private static final Logger LOG = LoggerFactory.getLogger(PgTemplate.class);
  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(3);

  private final Path dataDir;

  private PgTemplate(Path dataDir) {
    this.dataDir = dataDir;
  }

  /**
   * Returns the template for these binaries, creating it under {@code java.io.tmpdir} if needed.
   *
   * <p>Creation is atomic (initdb into a temporary directory, then rename) and guarded by a file lock so concurrent
   * JVMs neither race nor see a half-written template.
   */
  static PgTemplate ensure(PgBinaries binaries, PgRunner runner) throws IOException {
    Path root = Path.of(System.getProperty("java.io.tmpdir"));
    String name = "spar-pg-template-" + binaries.majorVersion() + "-" + PgRunner.uid();
    Path target = root.resolve(name);
    if (isComplete(target)) {
      return new PgTemplate(target.resolve("data"));
    }
    try (FileChannel channel = FileChannel.open(root.resolve(name + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      if (!isComplete(target)) {
        create(binaries, runner, root, target);
      }
    }
    return new PgTemplate(target.resolve("data"));
  }

  /** Copies the template into {@code target}, which must not exist yet, keeping file permissions. */
  void copyTo(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        // COPY_ATTRIBUTES keeps mode 0700, without which postgres refuses to start.
        Files.copy(dir, target.resolve(dataDir.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, target.resolve(dataDir.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean isComplete(Path target) {
    return Files.isRegularFile(target.resolve("data").resolve("PG_VERSION"));
  }

  private static void create(PgBinaries binaries, PgRunner runner, Path root, Path target) throws IOException {
    long startNanos = System.nanoTime();
    Path temp = Files.createTempDirectory(root, target.getFileName() + ".tmp");
    try {
      runner.prepare(temp);
      Path log = temp.resolve("initdb.log");
      runner.run(List.of(binaries.binary("initdb"), "--no-sync", "--locale=C", "-E", "UTF8",
          "-U", LocalCluster.USER, "--auth=trust", "-D", temp.resolve("data").toString()), log, INITDB_TIMEOUT);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Created PostgreSQL {} template {} in {} ms", binaries.majorVersion(), target,
          (System.nanoTime() - startNanos) / 1_000_000);
    } finally {
      if (Files.exists(temp)) {
        deleteRecursively(temp);
      }
    }
  }

  /** Deletes a directory tree; used for leftovers of failed template creation. */
  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
