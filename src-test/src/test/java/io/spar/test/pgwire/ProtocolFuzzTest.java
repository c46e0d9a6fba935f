package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.pgwire.PgWireServer;
import io.spar.test.Sql;
import io.spar.test.pgwire.RawWire.Message;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Malformed, truncated and oversized protocol messages on fresh connections to Spar's
 * PostgreSQL port, before startup, during SCRAM and after authentication. Every connection
 * must get an ErrorResponse and/or be closed within a bounded time (where a truncated message
 * makes the server wait for the rest, the client ends its side and the server must close);
 * errors a session survives must leave it answering correctly; no ErrorResponse may be Spar's
 * internal error (XX000); nothing may get a client in without the password. Throughout, a
 * normal pgjdbc connection keeps working, and afterwards no session, socket or heap is left
 * over.
 *
 * <p>Each attempt draws from its own {@link Random} seeded by {@link #SEED} and its number, so
 * a failure names the attempt that reproduces it, whatever the threads' interleaving.
 */
class ProtocolFuzzTest {
  private static final long SEED = 0x5eed_f00dL;
  private static final int ATTEMPTS = 10_000;
  private static final int THREADS = 8;
  private static final int TIMEOUT_MILLIS = 5_000;
  private static final long HEAP_GROWTH_LIMIT = 512L << 20;
  /** Connections that wait on a truncated message for the whole run. */
  private static final int IDLE_CLIENTS = 10;
  private static final String COPY_TABLE = "fz_copy";
  /** Message types the server knows after authentication. */
  private static final String KNOWN_TYPES = "QPBDECHSXFdcfp";
  /** Types whose binary form Spar reads, their arrays, and types whose it does not. */
  private static final int[] TYPES = {16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30,
      114, 142, 600, 601, 602, 603, 604, 628, 650, 700, 701, 705, 718, 774, 829, 869, 1042,
      1043, 1082, 1083, 1114, 1184, 1186, 1266, 1560, 1562, 1700, 1790, 2275, 2278, 2950, 3220,
      3802, 4072, 5069, 1000, 1005, 1007, 1009, 1016, 1021, 1022, 1115, 1182, 1185, 1231, 2951,
      3807, 3904, 3614, 790, 0};
  private static final byte[][] INVALID_UTF8 = {{(byte) 0xC3, 0x28}, {(byte) 0xFF},
      {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
      {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};

  private int port;
  private String database;
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> cases = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> states = new ConcurrentHashMap<>();
  /** Keys of rows that COPY must accept, above those of {@link #copyData}. */
  private final AtomicInteger keys = new AtomicInteger(1_000_000_000);
  /** The step of an authenticated attempt that runs now, for failure reports. */
  private final ThreadLocal<String> subcase = new ThreadLocal<>();

  /** What one kind of attempt does on its connection. */
  private interface Scenario {
    void run(ProtocolFuzzTest test, RawWire wire, Random random) throws Exception;
  }

  private enum Kind {
    RANDOM_BYTES(6, ProtocolFuzzTest::randomBytes),
    BAD_STARTUP_LENGTH(5, ProtocolFuzzTest::badStartupLength),
    TRUNCATED_STARTUP(5, ProtocolFuzzTest::truncatedStartup),
    BAD_PROTOCOL_VERSION(4, ProtocolFuzzTest::badProtocolVersion),
    INVALID_UTF8_STARTUP(5, ProtocolFuzzTest::invalidUtf8Startup),
    MALFORMED_STARTUP(5, ProtocolFuzzTest::malformedStartup),
    SSL_THEN_GARBAGE(5, ProtocolFuzzTest::sslThenGarbage),
    CANCEL_REQUEST(3, ProtocolFuzzTest::cancelRequest),
    TYPED_BEFORE_STARTUP(3, ProtocolFuzzTest::typedBeforeStartup),
    UNKNOWN_USER_OR_DATABASE(4, ProtocolFuzzTest::unknownUserOrDatabase),
    MESSAGE_BEFORE_AUTHENTICATION(6, ProtocolFuzzTest::messageBeforeAuthentication),
    SASL_GARBAGE(7, ProtocolFuzzTest::saslGarbage),
    SASL_OVERSIZED(5, ProtocolFuzzTest::saslOversized),
    SASL_TRUNCATED(3, ProtocolFuzzTest::saslTruncated),
    SCRAM_FINAL_GARBAGE(8, ProtocolFuzzTest::scramFinalGarbage),
    AUTHENTICATED(26, ProtocolFuzzTest::authenticated);

    private final int weight;
    private final Scenario scenario;

    Kind(int weight, Scenario scenario) {
      this.weight = weight;
      this.scenario = scenario;
    }

    static Kind pick(Random random) {
      int total = Arrays.stream(values()).mapToInt(each -> each.weight).sum();
      int n = random.nextInt(total);
      for (Kind each : values()) {
        n -= each.weight;
        if (n < 0) {
          return each;
        }
      }
      throw new IllegalStateException();
    }
  }

  @Test
  void malformedMessagesGetAnErrorOrAClose() throws Exception {
    PgWireServer server = WirePort.server();
    port = server.port();
    database = server.database();
    try (Connection setup = WirePort.connect("")) {
      Sql.run(setup, "DROP TABLE IF EXISTS " + COPY_TABLE);
      Sql.run(setup, "CREATE TABLE " + COPY_TABLE + " (k int PRIMARY KEY, v text)");
      Sql.run(setup, "SELECT master_create_distributed_table('" + COPY_TABLE + "', 'k', 'hash')");
      Sql.run(setup, "SELECT master_create_worker_shards('" + COPY_TABLE + "', 4, 2)");
    }
    awaitEquals(0, server::connections, "sessions open before the fuzzing");
    awaitEquals(0, this::serverSockets, "server sockets open before the fuzzing");
    long heapBefore = usedHeapAfterGc();
    long started = System.nanoTime();

    List<RawWire> idle = new ArrayList<>();
    try (Connection legit = WirePort.connect("socketTimeout=30")) {
      assertEquals(List.of("1"), Sql.strings(legit, "SELECT 1"));
      Random random = new Random(SEED);
      for (int i = 0; i < IDLE_CLIENTS; i++) {
        // A startup packet that never ends, and an authenticated client's unfinished Query.
        RawWire waiting = new RawWire(port, TIMEOUT_MILLIS);
        idle.add(waiting);
        waiting.send(Arrays.copyOf(RawWire.startup("user", WirePort.USER), 11));
        RawWire half = new RawWire(port, TIMEOUT_MILLIS);
        idle.add(half);
        half.login(WirePort.USER, WirePort.PASSWORD, database, random);
        half.send(Arrays.copyOf(RawWire.query("SELECT 'never sent in full'"), 12));
      }
      awaitEquals(1 + IDLE_CLIENTS, server::connections, "sessions with idle clients");

      AtomicInteger next = new AtomicInteger();
      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        running.add(threads.submit(() -> {
          for (int i = next.getAndIncrement(); i < ATTEMPTS; i = next.getAndIncrement()) {
            attempt(i);
            if (i % 500 == 0) {
              legitimateClientsWork(legit, i % 2500 == 0);
            }
          }
          return null;
        }));
      }
      threads.shutdown();
      for (Future<?> each : running) {
        each.get(10, TimeUnit.MINUTES);
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.println("ProtocolFuzzTest: " + ATTEMPTS + " connections in " + millis
          + " ms; kinds " + new TreeMap<>(cases) + "; SQLSTATEs " + new TreeMap<>(states));
      Map<String, Long> failed = new TreeMap<>();
      failures.forEach(each -> failed.merge(each.substring(each.indexOf('(') + 1,
          each.indexOf(')')), 1L, Long::sum));
      assertTrue(failures.isEmpty(), failures.size() + " failed attempts (seed " + SEED
          + ") " + failed + ", the first:\n" + String.join("\n", failures.stream().sorted(
              Comparator.comparingInt(ProtocolFuzzTest::attemptNumber)).limit(30)
              .toList()));

      legitimateClientsWork(legit, true);
      awaitEquals(1 + IDLE_CLIENTS, server::connections, "sessions after the fuzzing");
      idle.forEach(RawWire::close);
      awaitEquals(1, server::connections, "sessions after the idle clients left");
      awaitEquals(1, this::serverSockets, "server sockets after the idle clients left");
      assertEquals(List.of("1"), Sql.strings(legit, "SELECT 1"));
    } finally {
      idle.forEach(RawWire::close);
    }
    awaitEquals(0, server::connections, "sessions after the last client left");
    awaitEquals(0, this::serverSockets, "server sockets after the last client left");
    long growth = usedHeapAfterGc() - heapBefore;
    assertTrue(growth < HEAP_GROWTH_LIMIT, "the heap grew by " + (growth >> 20) + " MB");
  }

  private static int attemptNumber(String failure) {
    return failure.startsWith("attempt ")
        ? Integer.parseInt(failure.substring(8, failure.indexOf(' ', 8))) : -1;
  }

  private void attempt(int index) {
    Random random = new Random(SEED * 1_000_003L + index);
    Kind kind = Kind.pick(random);
    cases.computeIfAbsent(kind.name(), k -> new LongAdder()).increment();
    subcase.remove();
    try (RawWire wire = new RawWire(port, TIMEOUT_MILLIS)) {
      try {
        kind.scenario.run(this, wire, random);
      } finally {
        for (Message each : wire.received()) {
          if (each.type() == 'E') {
            String state = each.field('C');
            states.computeIfAbsent(state, k -> new LongAdder()).increment();
            if ("XX000".equals(state)) {
              throw new AssertionError("internal error: " + each + " after " + wire.received());
            }
          }
        }
      }
    } catch (Exception | AssertionError e) {
      // Collected, not thrown, so that one run reports every kind of failure.
      failures.add("attempt " + index + " (" + kind + (subcase.get() == null ? ""
          : "." + subcase.get()) + "): " + e);
    }
  }

  /** The legitimate client's statement works, and so does a new connection's. */
  private void legitimateClientsWork(Connection legit, boolean fresh) {
    try {
      synchronized (legit) {
        assertEquals(List.of("1"), Sql.strings(legit, "SELECT 1"));
      }
      if (fresh) {
        try (Connection another = WirePort.connect("connectTimeout=10&socketTimeout=30")) {
          assertEquals(List.of("2"), Sql.strings(another, "SELECT 2"));
        }
      }
    } catch (SQLException | AssertionError e) {
      failures.add("a legitimate client failed during the fuzzing: " + e);
    }
  }

  // Before startup ------------------------------------------------------------------------------

  private void randomBytes(RawWire wire, Random random) {
    wire.send(bytes(random, 1 + random.nextInt(64)));
    wire.halfClose();
    expectNoEntry(wire, wire.readToEnd());
  }

  private void badStartupLength(RawWire wire, Random random) {
    int[] lengths = {0, 1, 4, 7, 10_001, 65_536, 0x7fffffff, 0x80000000, -1, -8,
        10_001 + random.nextInt(1 << 30), Integer.MIN_VALUE + random.nextInt(1 << 30)};
    int length = lengths[random.nextInt(lengths.length)];
    wire.send(RawWire.concat(ByteBuffer.allocate(4).putInt(length).array(),
        bytes(random, random.nextInt(16))));
    expectFatal(wire, "08P01");
  }

  private void truncatedStartup(RawWire wire, Random random) {
    byte[] startup = RawWire.startup("user", WirePort.USER, "database", database,
        "application_name", "fuzz");
    wire.send(Arrays.copyOf(startup, random.nextInt(startup.length)));
    wire.halfClose();
    expectNoEntry(wire, wire.readToEnd());
  }

  private void badProtocolVersion(RawWire wire, Random random) {
    int major = random.nextBoolean() ? random.nextInt(3) : 4 + random.nextInt(1230);
    int minor = random.nextInt(1 << 16);
    wire.send(RawWire.startup(major << 16 | minor, RawWire.concat(RawWire.cstring("user"),
        RawWire.cstring(WirePort.USER), new byte[] {0})));
    expectFatal(wire, "0A000");
  }

  private void invalidUtf8Startup(RawWire wire, Random random) {
    List<byte[]> strings = new ArrayList<>();
    for (String each : List.of("user", WirePort.USER, "database", database,
        "application_name", "app", "options", "-c search_path=public")) {
      strings.add(each.getBytes(StandardCharsets.UTF_8));
    }
    int which = random.nextInt(strings.size());
    byte[] bad = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
    byte[] original = strings.get(which);
    int at = random.nextInt(original.length + 1);
    strings.set(which, RawWire.concat(Arrays.copyOf(original, at), bad,
        Arrays.copyOfRange(original, at, original.length)));
    List<byte[]> parts = new ArrayList<>();
    for (byte[] each : strings) {
      parts.add(each);
      parts.add(new byte[] {0});
    }
    parts.add(new byte[] {0});
    wire.send(RawWire.startup(RawWire.PROTOCOL_3, RawWire.concat(parts.toArray(byte[][]::new))));
    expectFatal(wire, "22021");
  }

  private void malformedStartup(RawWire wire, Random random) {
    byte[] valid = RawWire.concat(RawWire.cstring("user"), RawWire.cstring(WirePort.USER),
        RawWire.cstring("database"), RawWire.cstring(database), new byte[] {0});
    int variant = random.nextInt(4);
    byte[] parameters = switch (variant) {
      // Cut short by at least its final NUL, so that a string or the list has no end.
      case 0 -> Arrays.copyOf(valid, random.nextInt(valid.length));
      // A name without a value.
      case 1 -> RawWire.concat(Arrays.copyOf(valid, valid.length - 1),
          RawWire.cstring("application_name"), new byte[] {0});
      // Bytes after the list's end, which PostgreSQL refuses ("invalid startup packet
      // layout: expected terminator as last byte").
      case 2 -> RawWire.concat(valid, bytes(random, 1 + random.nextInt(20)));
      default -> bytes(random, random.nextInt(40));
    };
    wire.send(RawWire.startup(RawWire.PROTOCOL_3, parameters));
    if (variant < 3) {
      expectFatal(wire, "08P01");
    } else {
      expectFatal(wire, "08P01", "22021", "28000", "3D000");
    }
  }

  private void sslThenGarbage(RawWire wire, Random random) {
    wire.send(RawWire.request(RawWire.SSL_REQUEST));
    int answer = wire.readByte();
    assertEquals('N', answer, "SSLRequest without TLS configured");
    switch (random.nextInt(4)) {
      case 0 -> {
        wire.send(RawWire.request(RawWire.GSSENC_REQUEST));
        assertEquals('N', wire.readByte(), "GSSENCRequest");
        wire.send(bytes(random, 1 + random.nextInt(40)));
        wire.halfClose();
        expectNoEntry(wire, wire.readToEnd());
      }
      case 1 -> {
        wire.send(RawWire.startup("user", WirePort.USER, "database", "no_such_" + random.nextInt(1000)));
        expectFatal(wire, "3D000");
      }
      case 2 -> {
        // A second SSLRequest with bytes behind it in the same packet: were TLS to start, they
        // would have come unencrypted, perhaps from a man in the middle, so PostgreSQL ends the
        // connection (after its answer to the request, which Spar need not send).
        wire.send(RawWire.concat(RawWire.request(RawWire.SSL_REQUEST),
            RawWire.startup("user", WirePort.USER, "database", database)));
        if (wire.peekByte() == 'N') {
          wire.readByte();
        }
        expectFatal(wire, "08P01");
      }
      default -> {
        wire.send(bytes(random, 1 + random.nextInt(40)));
        wire.halfClose();
        expectNoEntry(wire, wire.readToEnd());
      }
    }
  }

  private void cancelRequest(RawWire wire, Random random) {
    switch (random.nextInt(3)) {
      case 0 -> {
        wire.send(RawWire.request(RawWire.CANCEL_REQUEST, random.nextInt(), random.nextInt()));
        assertEquals(-1, wire.readByte(), "a cancel request gets no answer");
      }
      case 1 -> {
        // Too short: the key is missing.
        wire.send(RawWire.request(RawWire.CANCEL_REQUEST, random.nextInt()));
        expectNoEntry(wire, wire.readToEnd());
      }
      default -> {
        // A cancel request and then more.
        wire.send(RawWire.concat(RawWire.request(RawWire.CANCEL_REQUEST, random.nextInt(),
            random.nextInt()), RawWire.query("SELECT 1")));
        expectNoEntry(wire, wire.readToEnd());
      }
    }
  }

  private void typedBeforeStartup(RawWire wire, Random random) {
    byte[] message = switch (random.nextInt(3)) {
      case 0 -> RawWire.query("SELECT 1");
      case 1 -> RawWire.typed('X', new byte[0]);
      default -> RawWire.typed((char) random.nextInt(256), bytes(random, random.nextInt(20)));
    };
    wire.send(message);
    expectFatal(wire, "08P01");
  }

  private void unknownUserOrDatabase(RawWire wire, Random random) {
    switch (random.nextInt(4)) {
      case 0 -> {
        wire.send(RawWire.startup("user", WirePort.USER, "database", ascii(random, 12)));
        expectFatal(wire, "3D000");
      }
      case 1 -> {
        wire.send(RawWire.startup("database", database));
        expectFatal(wire, "28000");
      }
      case 2 -> {
        wire.send(RawWire.startup("user", WirePort.USER, "database", database,
            "client_encoding", "LATIN1"));
        expectFatal(wire, "22023");
      }
      default -> {
        // An unknown user gets a whole (mock) exchange, and fails at its end.
        Message sasl = wire.startSasl("nobody_" + ascii(random, 6), database);
        assertTrue(sasl != null && sasl.int32() == 10, "no SASL request: " + wire.received());
        RawWire.Scram scram = new RawWire.Scram("guess", random);
        wire.send(scram.initialResponse());
        Message first = wire.readUntil('R');
        assertTrue(first != null && first.int32() == 11, "no SASL continue: " + wire.received());
        wire.send(RawWire.typed('p', scram.clientFinal(Arrays.copyOfRange(first.body(), 4,
            first.body().length)).getBytes(StandardCharsets.US_ASCII)));
        expectFatal(wire, "28P01");
      }
    }
  }

  // During authentication -------------------------------------------------------------------

  private Message saslRequest(RawWire wire) {
    Message sasl = wire.startSasl(WirePort.USER, database);
    assertTrue(sasl != null && sasl.int32() == 10, "no SASL request: " + wire.received());
    return sasl;
  }

  private void messageBeforeAuthentication(RawWire wire, Random random) {
    saslRequest(wire);
    byte[] message = switch (random.nextInt(5)) {
      case 0 -> RawWire.query("SELECT 1");
      case 1 -> RawWire.typed('P', RawWire.concat(RawWire.cstring(""), RawWire.cstring(
          "SELECT 1"), new byte[2]));
      case 2 -> RawWire.sync();
      case 3 -> RawWire.startup("user", WirePort.USER, "database", database);
      default -> RawWire.typed(randomType(random, "p"), bytes(random, random.nextInt(30)));
    };
    wire.send(message);
    expectFatal(wire, "08P01");
  }

  private void saslGarbage(RawWire wire, Random random) {
    saslRequest(wire);
    String[] firsts = {"p=tls-server-end-point,,n=,r=abcdef", "n,a=admin,n=,r=abcdef",
        "n,,m=ext,n=,r=abcdef", "n,,n=,r=", "n,,n=,r=ab\u0001cd", "x,,n=,r=abcdef", "",
        "n,,", "n,,r=abcdef", "n,,n=,", "n", "y,,n=,r=abc,x", "n,,n=,r=abc,=", "n,,n=,r=abc,1=2"};
    byte[] body = switch (random.nextInt(6)) {
      case 0 -> bytes(random, random.nextInt(100));
      case 1 -> {
        byte[] first = firsts[random.nextInt(firsts.length)].getBytes(StandardCharsets.ISO_8859_1);
        yield RawWire.concat(RawWire.cstring("SCRAM-SHA-256"), int32(first.length), first);
      }
      case 2 -> {
        String mechanism = List.of("SCRAM-SHA-256-PLUS", "PLAIN", "", "scram-sha-256",
            ascii(random, 8)).get(random.nextInt(5));
        byte[] first = "n,,n=,r=abcdef".getBytes(StandardCharsets.US_ASCII);
        yield RawWire.concat(RawWire.cstring(mechanism), int32(first.length), first);
      }
      case 3 -> {
        // The inner length disagrees with the message's.
        byte[] first = "n,,n=,r=abcdef".getBytes(StandardCharsets.US_ASCII);
        int[] lengths = {first.length + 1, first.length - 1, -2, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 1 << 20};
        yield RawWire.concat(RawWire.cstring("SCRAM-SHA-256"),
            int32(lengths[random.nextInt(lengths.length)]), first);
      }
      case 4 -> "SCRAM-SHA-256".getBytes(StandardCharsets.US_ASCII); // no NUL
      default -> {
        byte[] first = RawWire.concat("n,,n=,r=".getBytes(StandardCharsets.US_ASCII),
            INVALID_UTF8[random.nextInt(INVALID_UTF8.length)], new byte[] {0, 'x'});
        yield RawWire.concat(RawWire.cstring("SCRAM-SHA-256"), int32(first.length), first);
      }
    };
    wire.send(RawWire.typed('p', body));
    expectFatal(wire, "08P01", "28P01", "0A000", "22021");
  }

  private void saslOversized(RawWire wire, Random random) {
    saslRequest(wire);
    int[] lengths = {0, 1, 3, -1, 0x7fffffff, 0x80000000, (256 << 20) + 5,
        // Longer than any authentication message can be, but within the limit of others:
        // PostgreSQL refuses these at once (PG_MAX_AUTH_TOKEN_LENGTH), before reading them.
        (64 << 10) + 1 + random.nextInt(1 << 20), (1 << 20) + random.nextInt(255 << 20)};
    int length = lengths[random.nextInt(lengths.length)];
    wire.send(RawWire.typed(random.nextBoolean() ? 'p' : 'Q', length,
        bytes(random, random.nextInt(64))));
    expectFatal(wire, "08P01");
  }

  private void saslTruncated(RawWire wire, Random random) {
    saslRequest(wire);
    RawWire.Scram scram = new RawWire.Scram(WirePort.PASSWORD, random);
    byte[] message = scram.initialResponse();
    wire.send(Arrays.copyOf(message, 1 + random.nextInt(message.length - 1)));
    wire.halfClose();
    expectNoEntry(wire, wire.readToEnd());
  }

  private void scramFinalGarbage(RawWire wire, Random random) {
    saslRequest(wire);
    RawWire.Scram scram = new RawWire.Scram(WirePort.PASSWORD, random);
    wire.send(scram.initialResponse());
    Message first = wire.readUntil('R');
    assertTrue(first != null && first.int32() == 11, "no SASL continue: " + wire.received());
    String serverFirst = new String(first.body(), 4, first.body().length - 4,
        StandardCharsets.US_ASCII);
    String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
    String good = scram.clientFinal(Arrays.copyOfRange(first.body(), 4, first.body().length));
    String proof = java.util.Base64.getEncoder().encodeToString(bytes(random, 32));
    int variant = random.nextInt(10);
    byte[] message = switch (variant) {
      case 0 -> RawWire.typed('p', bytes(random, random.nextInt(120)));
      case 1 -> RawWire.typed('p', ("c=biws,r=" + nonce + ",p=" + proof).getBytes(
          StandardCharsets.US_ASCII));
      case 2 -> RawWire.typed('p', good.replace("r=" + nonce, "r=" + nonce + "x").getBytes(
          StandardCharsets.US_ASCII));
      case 3 -> RawWire.typed('p', ("c=biws,r=" + nonce).getBytes(StandardCharsets.US_ASCII));
      case 4 -> RawWire.typed('p', ("c=biws,r=" + nonce + ",p=!!notbase64!!").getBytes(
          StandardCharsets.US_ASCII));
      case 5 -> RawWire.typed('p', (good + ",x=trailing").getBytes(StandardCharsets.US_ASCII));
      case 6 -> RawWire.typed('p', good.replace("c=biws", "c=eSws").getBytes(
          StandardCharsets.US_ASCII));
      case 7 -> RawWire.typed('p', RawWire.concat(good.getBytes(StandardCharsets.US_ASCII),
          new byte[] {0}));
      case 8 -> RawWire.query("SELECT 1");
      default -> {
        byte[] whole = RawWire.typed('p', good.getBytes(StandardCharsets.US_ASCII));
        yield Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
      }
    };
    wire.send(message);
    if (variant == 9) {
      wire.halfClose();
      expectNoEntry(wire, wire.readToEnd());
    } else {
      expectFatal(wire, "28P01", "08P01");
    }
  }

  // After authentication --------------------------------------------------------------------

  /** A recoverable error, then perhaps one that ends the connection. */
  private void authenticated(RawWire wire, Random random) {
    wire.login(WirePort.USER, WirePort.PASSWORD, database, random);
    int rounds = 1 + random.nextInt(2);
    for (int i = 0; i < rounds; i++) {
      if (!recoverable(wire, random)) {
        return;
      }
    }
    if (random.nextBoolean()) {
      fatal(wire, random);
    }
  }

  /** Sends something the session survives (or ends with FATAL); false if it ended. */
  private boolean recoverable(RawWire wire, Random random) {
    int variant = random.nextInt(10);
    subcase.set("recoverable." + variant);
    cases.computeIfAbsent("AUTHENTICATED." + subcase.get(), k -> new LongAdder()).increment();
    switch (variant) {
      case 0 -> {
        byte[] sql = RawWire.concat("SELECT '".getBytes(StandardCharsets.US_ASCII),
            INVALID_UTF8[random.nextInt(INVALID_UTF8.length)], "'".getBytes(
                StandardCharsets.US_ASCII), new byte[] {0});
        wire.send(RawWire.typed('Q', sql));
        return alive(wire, random, 1, "22021");
      }
      case 1 -> {
        // About a megabyte of text, invalid at its end.
        byte[] sql = new byte[(1 << 20) + random.nextInt(1000)];
        Arrays.fill(sql, (byte) 'x');
        System.arraycopy("SELECT '".getBytes(StandardCharsets.US_ASCII), 0, sql, 0, 8);
        sql[sql.length - 2] = (byte) 0xFF;
        sql[sql.length - 1] = 0;
        wire.send(RawWire.typed('Q', sql));
        return alive(wire, random, 1, "22021");
      }
      case 2 -> {
        wire.send(RawWire.query(printable(random, 1 + random.nextInt(60))));
        return alive(wire, random, 1);
      }
      case 3 -> {
        wire.send(RawWire.typed('F', bytes(random, random.nextInt(40))));
        return alive(wire, random, 1, "0A000");
      }
      case 4 -> {
        for (int n = random.nextInt(3); n >= 0; n--) {
          char type = "dcf".charAt(random.nextInt(3));
          wire.send(RawWire.typed(type, bytes(random, random.nextInt(40))));
        }
        return alive(wire, random, 0);
      }
      case 5 -> {
        for (int n = random.nextInt(3); n >= 0; n--) {
          wire.send(extendedGarbage(random));
        }
        wire.send(RawWire.sync());
        return aliveOrFatal(wire, random);
      }
      case 6 -> {
        int type = TYPES[random.nextInt(TYPES.length)];
        byte[] value = binaryValue(random);
        wire.send(RawWire.concat(
            RawWire.typed('P', RawWire.concat(RawWire.cstring(""), RawWire.cstring("SELECT $1"),
                int16(1), int32(type))),
            RawWire.typed('B', RawWire.concat(RawWire.cstring(""), RawWire.cstring(""),
                int16(1), int16(1), int16(1), int32(value.length), value, int16(1),
                int16(random.nextInt(2)))),
            RawWire.typed('D', RawWire.concat(new byte[] {'P'}, RawWire.cstring(""))),
            RawWire.typed('E', RawWire.concat(RawWire.cstring(""), int32(0))),
            RawWire.sync()));
        return alive(wire, random, 1);
      }
      case 7 -> {
        if (random.nextInt(4) == 0) {
          // CopyFail after good rows: PostgreSQL's 57014, and nothing copied.
          wire.send(RawWire.query("COPY " + COPY_TABLE + " FROM STDIN"));
          assertCopyIn(wire);
          for (int n = random.nextInt(3); n > 0; n--) {
            wire.send(RawWire.typed('d', (keys.incrementAndGet() + "\tfailing\n").getBytes(
                StandardCharsets.US_ASCII)));
          }
          wire.send(RawWire.typed('f', RawWire.cstring("client gave up")));
          return alive(wire, random, 1, "57014");
        }
        String[] formats = {"", " WITH (FORMAT csv)", " WITH (FORMAT binary)",
            " WITH (FORMAT text, DELIMITER ',')"};
        wire.send(RawWire.query("COPY " + COPY_TABLE + " FROM STDIN"
            + formats[random.nextInt(formats.length)]));
        assertCopyIn(wire);
        for (int n = random.nextInt(4); n >= 0; n--) {
          wire.send(RawWire.typed('d', copyData(random)));
        }
        wire.send(RawWire.typed('c', new byte[0]));
        return alive(wire, random, 1);
      }
      case 8 -> {
        // PostgreSQL ignores Flush and Sync during COPY FROM STDIN.
        wire.send(RawWire.query("COPY " + COPY_TABLE + " FROM STDIN"));
        assertCopyIn(wire);
        int key = keys.incrementAndGet();
        wire.send(RawWire.concat(RawWire.typed('H', new byte[0]), RawWire.sync(),
            RawWire.typed('d', (key + "\tsynced\n").getBytes(StandardCharsets.US_ASCII)),
            RawWire.sync(), RawWire.typed('c', new byte[0])));
        return alive(wire, random, 1);
      }
      default -> {
        // COPY FROM STDIN interrupted by another message: PostgreSQL fails the COPY with
        // 08P01 and, having lost the protocol's thread, ends the connection.
        wire.send(RawWire.query("COPY " + COPY_TABLE + " FROM STDIN"));
        assertCopyIn(wire);
        byte[][] others = {RawWire.query("SELECT 1"), RawWire.typed('P',
            RawWire.concat(RawWire.cstring(""), RawWire.cstring("SELECT 1"), int16(0))),
            RawWire.typed('X', new byte[0]), RawWire.typed('F', new byte[4]),
            RawWire.typed(randomType(random, KNOWN_TYPES), bytes(random, 8))};
        wire.send(others[random.nextInt(others.length)]);
        expectFatal(wire, "08P01");
        return false;
      }
    }
  }

  /** Sends something that ends the connection. */
  private void fatal(RawWire wire, Random random) {
    int variant = random.nextInt(8);
    subcase.set("fatal." + variant);
    cases.computeIfAbsent("AUTHENTICATED." + subcase.get(), k -> new LongAdder()).increment();
    switch (variant) {
      case 0 -> {
        wire.send(RawWire.typed(randomType(random, KNOWN_TYPES),
            bytes(random, random.nextInt(40))));
        expectFatal(wire, "08P01");
      }
      case 1 -> {
        wire.send(RawWire.typed('p', bytes(random, random.nextInt(40))));
        expectFatal(wire, "08P01");
      }
      case 2 -> {
        wire.send(random.nextBoolean()
            ? RawWire.typed('Q', "SELECT 1".getBytes(StandardCharsets.US_ASCII))
            : RawWire.typed('Q', RawWire.concat(RawWire.cstring("SELECT 1"), bytes(random, 5))));
        expectFatal(wire, "08P01");
      }
      case 3 -> {
        int[] lengths = {0, 1, 2, 3, -1, 0x80000000, 0x7fffffff,
            PgWireServer.MAX_MESSAGE_LENGTH + 1 + random.nextInt(1000)};
        char type = random.nextBoolean() ? KNOWN_TYPES.charAt(random.nextInt(
            KNOWN_TYPES.length())) : (char) random.nextInt(256);
        wire.send(RawWire.typed(type, lengths[random.nextInt(lengths.length)],
            bytes(random, random.nextInt(10))));
        expectFatal(wire, "08P01");
      }
      case 4 -> {
        // Truncated: the server waits for the rest until the client ends its side.
        char type = KNOWN_TYPES.charAt(random.nextInt(KNOWN_TYPES.length()));
        int length = 5 + random.nextInt(1000);
        wire.send(RawWire.typed(type, length, bytes(random, random.nextInt(length - 4))));
        wire.halfClose();
        wire.readToEnd();
      }
      case 5 -> {
        // A long message, announced but never sent: nothing is allocated for it.
        int length = (1 << 20) + random.nextInt(PgWireServer.MAX_MESSAGE_LENGTH - (1 << 20));
        wire.send(RawWire.typed(random.nextBoolean() ? 'Q' : 'd', length,
            bytes(random, random.nextInt(4096))));
        wire.halfClose();
        wire.readToEnd();
      }
      case 6 -> {
        wire.send(RawWire.typed('X', new byte[0]));
        List<Message> messages = wire.readToEnd();
        assertTrue(messages.isEmpty(), "answers to Terminate: " + messages);
      }
      default -> {
        if (random.nextBoolean()) {
          // Gone in the middle of COPY FROM STDIN: the session must still end.
          wire.send(RawWire.query("COPY " + COPY_TABLE + " FROM STDIN"));
          assertCopyIn(wire);
          wire.send(RawWire.typed('d', copyData(random)));
          return; // closed by the caller
        }
        wire.send(bytes(random, 1 + random.nextInt(200)));
        wire.halfClose();
        wire.readToEnd();
      }
    }
  }

  private static void assertCopyIn(RawWire wire) {
    Message response = wire.readUntil('G');
    assertTrue(response != null, "no CopyInResponse: " + wire.received());
  }

  /** A Parse, Bind, Describe, Execute or Close with fields in or out of their bounds. */
  private static byte[] extendedGarbage(Random random) {
    String[] sqls = {"SELECT $1", "SELECT 1", "", "SELECT * FROM " + COPY_TABLE
        + " WHERE k = $1", "SELECT (", "SELECT 1; SELECT 2", "BEGIN"};
    String name = random.nextInt(3) == 0 ? ascii(random, 1 + random.nextInt(5)) : "";
    byte[] body = switch (random.nextInt(5)) {
      case 0 -> {
        int count = random.nextInt(6) - 1;
        byte[] types = new byte[Math.max(0, count) * 4];
        for (int i = 0; i + 4 <= types.length; i += 4) {
          System.arraycopy(int32(TYPES[random.nextInt(TYPES.length)]), 0, types, i, 4);
        }
        yield RawWire.concat(RawWire.cstring(name), RawWire.cstring(
            sqls[random.nextInt(sqls.length)]), int16(count), types);
      }
      case 1 -> {
        int formats = random.nextInt(4) - 1;
        byte[] formatCodes = new byte[Math.max(0, formats) * 2];
        for (int i = 0; i < formatCodes.length; i += 2) {
          System.arraycopy(int16(random.nextInt(4) - 1), 0, formatCodes, i, 2);
        }
        int parameters = random.nextInt(4) - 1;
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < parameters; i++) {
          int length = random.nextInt(6) == 0 ? -1 - random.nextInt(3) : random.nextInt(10);
          byte[] value = bytes(random, Math.max(0, length + random.nextInt(3) - 1));
          values.add(RawWire.concat(int32(length), value));
        }
        yield RawWire.concat(RawWire.cstring(""), RawWire.cstring(name), int16(formats),
            formatCodes, int16(parameters), RawWire.concat(values.toArray(byte[][]::new)),
            int16(random.nextInt(3) - 1));
      }
      case 2 -> RawWire.concat(new byte[] {(byte) "SPX".charAt(random.nextInt(3))},
          RawWire.cstring(name));
      case 3 -> RawWire.concat(RawWire.cstring(name), int32(random.nextInt()));
      default -> RawWire.concat(new byte[] {(byte) "SPX".charAt(random.nextInt(3))},
          RawWire.cstring(name));
    };
    if (random.nextInt(4) == 0) {
      body = random.nextBoolean() && body.length > 0
          ? Arrays.copyOf(body, random.nextInt(body.length))
          : RawWire.concat(body, bytes(random, 1 + random.nextInt(4)));
    }
    return RawWire.typed("PBDEC".charAt(random.nextInt(5)), body);
  }

  /** A binary parameter: of a fixed type's size, an array's header, or any bytes. */
  private static byte[] binaryValue(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> bytes(random, new int[] {1, 2, 4, 8, 12, 16}[random.nextInt(6)]);
      case 1 -> {
        int dimensions = random.nextInt(3);
        ByteBuffer array = ByteBuffer.allocate(12 + dimensions * 8 + 40);
        array.putInt(dimensions).putInt(random.nextInt(2)).putInt(
            TYPES[random.nextInt(TYPES.length)]);
        for (int i = 0; i < dimensions; i++) {
          array.putInt(random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(4))
              .putInt(random.nextInt(4) == 0 ? random.nextInt() : 1);
        }
        array.put(bytes(random, 40));
        yield Arrays.copyOf(array.array(), array.position() - random.nextInt(40));
      }
      case 2 -> {
        // numeric: ndigits, weight, sign, dscale, then digits
        ByteBuffer numeric = ByteBuffer.allocate(16);
        numeric.putShort((short) random.nextInt(5)).putShort((short) random.nextInt())
            .putShort((short) new int[] {0, 0x4000, 0xC000, 0xD000, 0xF000, random.nextInt()}
                [random.nextInt(6)]).putShort((short) random.nextInt(1 << 14));
        numeric.put(bytes(random, 8));
        yield Arrays.copyOf(numeric.array(), 8 + 2 * random.nextInt(5));
      }
      default -> bytes(random, random.nextInt(40));
    };
  }

  private static byte[] copyData(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> ((1 + random.nextInt(1_000_000)) + "\tv" + random.nextInt() + "\n").getBytes(
          StandardCharsets.US_ASCII);
      case 1 -> RawWire.concat("7\t".getBytes(StandardCharsets.US_ASCII),
          INVALID_UTF8[random.nextInt(INVALID_UTF8.length)], new byte[] {'\n'});
      case 2 -> printable(random, random.nextInt(50)).getBytes(StandardCharsets.US_ASCII);
      default -> bytes(random, random.nextInt(60));
    };
  }

  // Expectations ----------------------------------------------------------------------------

  /**
   * Sends a query whose answer only a working session gives, and reads up to its
   * ReadyForQuery: the session must have sent {@code ready} ReadyForQuery before it (one per
   * message that asks for one), and errors of {@code expected} states if any are given.
   */
  private static boolean alive(RawWire wire, Random random, int ready, String... expected) {
    int before = wire.received().size();
    int marker = random.nextInt(Integer.MAX_VALUE);
    wire.send(RawWire.query("SELECT " + marker));
    List<Message> earlier = new ArrayList<>();
    while (true) {
      Message message = wire.read();
      if (message == null) {
        throw new AssertionError("the server closed the connection after an error it should"
            + " survive: " + wire.received().subList(before, wire.received().size()));
      }
      if (message.type() == 'D' && (marker + "").equals(text(message))) {
        break;
      }
      earlier.add(message);
    }
    Message complete = wire.read();
    Message readyForQuery = wire.read();
    assertTrue(complete != null && complete.type() == 'C' && readyForQuery != null
        && readyForQuery.type() == 'Z', "the marker's answer: " + wire.received());
    long readies = earlier.stream().filter(each -> each.type() == 'Z').count();
    assertEquals(ready, readies, "ReadyForQuery before the marker query's answer: " + earlier);
    if (expected.length > 0) {
      List<String> errors = earlier.stream().filter(each -> each.type() == 'E')
          .map(each -> each.field('C')).toList();
      assertTrue(!errors.isEmpty() && Set.of(expected).containsAll(errors),
          "expected errors " + List.of(expected) + ": " + earlier);
    }
    return true;
  }

  /** Like {@link #alive}, but a FATAL 08P01 that ends the connection is right too. */
  private static boolean aliveOrFatal(RawWire wire, Random random) {
    int before = wire.received().size();
    int marker = random.nextInt(Integer.MAX_VALUE);
    wire.send(RawWire.query("SELECT " + marker));
    int readies = 0;
    while (true) {
      Message message = wire.read();
      if (message == null) {
        List<Message> answers = wire.received().subList(before, wire.received().size());
        assertTrue(answers.stream().anyMatch(each -> each.type() == 'E'
            && "FATAL".equals(each.field('S')) && "08P01".equals(each.field('C'))),
            "closed without a FATAL protocol violation: " + answers);
        return false;
      }
      if (message.type() == 'D' && (marker + "").equals(text(message))) {
        break;
      }
      readies += message.type() == 'Z' ? 1 : 0;
    }
    assertEquals(1, readies, "ReadyForQuery before the marker query's answer: "
        + wire.received().subList(before, wire.received().size()));
    assertTrue(wire.readUntil('Z') != null, "no ReadyForQuery after the marker");
    return true;
  }

  /** The server must send a FATAL ErrorResponse of one of {@code expected} states and close. */
  private static void expectFatal(RawWire wire, String... expected) {
    List<Message> messages = wire.readToEnd();
    List<Message> errors = messages.stream().filter(each -> each.type() == 'E').toList();
    assertTrue(!errors.isEmpty(), "closed without an ErrorResponse: " + wire.received());
    Message error = errors.get(errors.size() - 1);
    assertEquals("FATAL", error.field('S'), "severity: " + wire.received());
    assertTrue(Set.of(expected).contains(error.field('C')), "expected one of "
        + List.of(expected) + ": " + wire.received());
    assertTrue(messages.stream().noneMatch(each -> each.type() == 'Z'),
        "ReadyForQuery before closing: " + wire.received());
    expectNoEntry(wire, messages);
  }

  /** Nothing before authentication lets the client in. */
  private static void expectNoEntry(RawWire wire, List<Message> messages) {
    assertTrue(messages.stream().noneMatch(each -> each.type() == 'Z'
        || each.type() == 'R' && each.body().length >= 4 && each.int32() == 0),
        "let in without a password: " + wire.received());
  }

  private static String text(Message dataRow) {
    ByteBuffer body = ByteBuffer.wrap(dataRow.body());
    if (body.remaining() < 6 || body.getShort() != 1) {
      return null;
    }
    int length = body.getInt();
    if (length < 0 || length > body.remaining()) {
      return null;
    }
    return new String(dataRow.body(), 6, length, StandardCharsets.UTF_8);
  }

  // Values ----------------------------------------------------------------------------------

  private static byte[] bytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String ascii(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  private static String printable(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append((char) (' ' + random.nextInt(95)));
    }
    return text.toString();
  }

  /** A type byte that is none of {@code known}. */
  private static char randomType(Random random, String known) {
    while (true) {
      char type = (char) random.nextInt(256);
      if (known.indexOf(type) < 0) {
        return type;
      }
    }
  }

  private static byte[] int16(int value) {
    return ByteBuffer.allocate(2).putShort((short) value).array();
  }

  private static byte[] int32(int value) {
    return ByteBuffer.allocate(4).putInt(value).array();
  }

  // Leftovers -------------------------------------------------------------------------------

  /**
   * Returns the server side's open TCP connections of the port (established, or closed by the
   * client and not yet by the server), as the kernel lists them.
   */
  private int serverSockets() {
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue; // no IPv6
      }
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        String local = fields[1];
        int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
        String state = fields[3];
        if (localPort == port && (state.equals("01") || state.equals("08"))) {
          count++;
        }
      }
    }
    return count;
  }

  /** Waits, polling, until {@code actual} is {@code expected}; fails after 20 seconds. */
  private static void awaitEquals(int expected, IntSupplier actual, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (actual.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        assertEquals(expected, actual.getAsInt(), what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
