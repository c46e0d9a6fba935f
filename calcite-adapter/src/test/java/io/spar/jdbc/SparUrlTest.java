package io.spar.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.PoolLimits;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SparUrlTest {

  private static Properties credentials(String user, String password) {
    Properties info = new Properties();
    info.setProperty("user", user);
    info.setProperty("password", password);
    return info;
  }

  @Test
  void coordinatorUrlTakesCredentialsFromProperties() throws SQLException {
    SparUrl url = SparUrl.parse("jdbc:spar:coordinator=jdbc:postgresql://db.example:5433/app",
        credentials("alice", "secret"));
    assertEquals("jdbc:postgresql://db.example:5433/app", url.coordinatorUrl());
    assertEquals("alice", url.user());
    assertEquals("secret", url.password());
    assertFalse(url.isLocal());
  }

  @Test
  void embeddedPgjdbcOptionsStayInTheCoordinatorUrl() throws SQLException {
    SparUrl url = SparUrl.parse("jdbc:spar:coordinator=jdbc:postgresql://h:1/db?sslmode=disable"
        + "&connectTimeout=5;user=bob;password=pw=with=equals", new Properties());
    assertEquals("jdbc:postgresql://h:1/db?sslmode=disable&connectTimeout=5",
        url.coordinatorUrl());
    assertEquals("bob", url.user());
    assertEquals("pw=with=equals", url.password());
  }

  @Test
  void poolLimitsComeFromTheUrlAndAreChecked() throws SQLException {
    assertEquals(PoolLimits.DEFAULTS,
        SparUrl.parse("jdbc:spar:coordinator=jdbc:postgresql://h/db", null).limits());
    SparUrl url = SparUrl.parse("jdbc:spar:local=/tmp/x;poolSize=8;PoolWait=500", null);
    assertEquals(new PoolLimits(8, 500), url.limits());
    assertEquals("jdbc:spar:local=/tmp/x;workers=2;poolSize=8;poolWait=500", url.toString());
    url = SparUrl.parse("jdbc:spar:local=/tmp/x;maxSessions=300", null);
    assertEquals(new PoolLimits(32, 30_000, 300), url.limits());
    assertEquals("jdbc:spar:local=/tmp/x;workers=2;poolSize=32;poolWait=30000;maxSessions=300",
        url.toString());
    for (String bad : List.of("poolSize=0", "poolSize=x", "poolWait=10", "maxSessions=-1")) {
      SQLException e = assertThrows(SQLException.class, () -> SparUrl.parse(
          "jdbc:spar:coordinator=jdbc:postgresql://h/db;" + bad, null), bad);
      assertTrue(e.getMessage().startsWith("invalid poolSize, poolWait or maxSessions"),
          e.getMessage());
    }
  }

  @Test
  void urlOptionsOverrideProperties() throws SQLException {
    SparUrl url = SparUrl.parse("jdbc:spar:coordinator=jdbc:postgresql://h/db;user=carol",
        credentials("alice", "secret"));
    assertEquals("carol", url.user());
    assertEquals("secret", url.password());
  }

  @Test
  void credentialsInsideTheEmbeddedUrlCountWhenNoneAreGiven() throws SQLException {
    SparUrl url = SparUrl.parse(
        "jdbc:spar:coordinator=jdbc:postgresql://h/db?user=dave&password=x", null);
    assertEquals("dave", url.user());
    assertEquals("x", url.password());
  }

  @Test
  void localUrlDefaultsToTwoWorkers() throws SQLException {
    SparUrl url = SparUrl.parse("jdbc:spar:local=/tmp/spar-cluster", new Properties());
    assertTrue(url.isLocal());
    assertEquals(Path.of("/tmp/spar-cluster"), url.localDirectory());
    assertEquals(2, url.workers());
    assertEquals(3, SparUrl.parse("jdbc:spar:local=x;workers=3", null).workers());
  }

  @Test
  void unknownKeysAreRejectedWith08001() {
    SQLException e = assertThrows(SQLException.class,
        () -> SparUrl.parse("jdbc:spar:local=x;worker=3", null));
    assertEquals("08001", e.getSQLState());
    assertTrue(e.getMessage().contains("worker"), e.getMessage());
  }

  @Test
  void malformedUrlsAreRejected() {
    for (String url : new String[] {"jdbc:spar:",
        "jdbc:spar:local=x;coordinator=jdbc:postgresql://h/d",
        "jdbc:spar:local=x;workers=-1", "jdbc:spar:local=x;workers=two",
        "jdbc:spar:coordinator=jdbc:mysql://h/d", "jdbc:spar:local=x;local=y",
        "jdbc:spar:coordinator=jdbc:postgresql://h/d;workers=2", "jdbc:spar:justtext"}) {
      SQLException e = assertThrows(SQLException.class, () -> SparUrl.parse(url, null), url);
      assertEquals("08001", e.getSQLState(), url);
    }
  }

  @Test
  void toStringHidesThePassword() throws SQLException {
    SparUrl url = SparUrl.parse("jdbc:spar:coordinator=jdbc:postgresql://h/db;password=hunter2",
        credentials("alice", "x"));
    assertFalse(url.toString().contains("hunter2"));
  }

  @Test
  void driverAcceptsOnlySparUrls() throws SQLException {
    Driver driver = new Driver();
    assertTrue(driver.acceptsURL("jdbc:spar:local=x"));
    assertFalse(driver.acceptsURL("jdbc:postgresql://h/db"));
    assertFalse(driver.acceptsURL(null));
    assertNull(driver.connect("jdbc:postgresql://h/db", new Properties()));
    assertFalse(driver.jdbcCompliant());
    assertEquals(Driver.MAJOR_VERSION, driver.getMajorVersion());
    assertEquals(Driver.MINOR_VERSION, driver.getMinorVersion());
  }

  @Test
  void driverRejectsUnknownKeysBeforeConnecting() {
    SQLException e = assertThrows(SQLException.class,
        () -> new Driver().connect("jdbc:spar:coordinator=jdbc:postgresql://h/db;colour=red",
            new Properties()));
    assertEquals("08001", e.getSQLState());
  }

  @Test
  void driverIsRegisteredWithDriverManager() throws SQLException {
    assertInstanceOf(Driver.class, DriverManager.getDriver("jdbc:spar:local=x"));
  }

  @Test
  void propertyInfoShowsWhatTheUrlSays() {
    DriverPropertyInfo[] info = new Driver().getPropertyInfo("jdbc:spar:local=/d;workers=4",
        new Properties());
    assertEquals("/d", find(info, "local").value);
    assertEquals("4", find(info, "workers").value);
    assertNull(find(info, "coordinator").value);
    // Half-typed URLs still get the list of properties.
    assertEquals(5, new Driver().getPropertyInfo("jdbc:spar:loc", null).length);
  }

  private static DriverPropertyInfo find(DriverPropertyInfo[] info, String name) {
    return Arrays.stream(info).filter(p -> p.name.equals(name)).findFirst().orElseThrow();
  }
}
