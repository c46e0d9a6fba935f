package io.spar.jdbc;

import io.spar.engine.SparEngine;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.DriverVersion;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.UnregisteredDriver;

/**
 * JDBC driver for {@code jdbc:spar:} URLs, registered with {@link java.sql.DriverManager} when
 * loaded: Avatica's driver, whose connections ({@link SparConnection}) and statements come from
 * {@link SparJdbcFactory} and run through a {@link SparMeta}.
 *
 * <p>URLs are {@code jdbc:spar:coordinator=jdbc:postgresql://HOST:PORT/DB} (credentials from the
 * {@code user} and {@code password} properties or {@code ;user=...;password=...} options) or
 * {@code jdbc:spar:local=DIR;workers=N}, which starts or reuses a local cluster in DIR. All
 * connections of a JVM to the same coordinator and user share one engine.
 */
public final class Driver extends UnregisteredDriver {
  /** Major version of the driver. */
  public static final int MAJOR_VERSION = 0;
  /** Minor version of the driver. */
  public static final int MINOR_VERSION = 1;
  /** Name the driver reports in database metadata. */
  public static final String NAME = "Spar JDBC Driver";
  /**
   * Product name the driver reports: PostgreSQL, whose dialect, errors and catalog Spar
   * presents, and by which tools choose how to talk to a database.
   */
  public static final String PRODUCT_NAME = "PostgreSQL";

  static {
    new Driver().register();
  }

  /** Returns the driver version as text, e.g. {@code 0.1}. */
  public static String version() {
    return MAJOR_VERSION + "." + MINOR_VERSION;
  }

  @Override
  protected String getConnectStringPrefix() {
    return SparUrl.PREFIX;
  }

  @Override
  protected String getFactoryClassName(JdbcVersion jdbcVersion) {
    return SparJdbcFactory.class.getName();
  }

  /** Returns false: Spar does not pass the JDBC compliance tests. */
  @Override
  protected DriverVersion createDriverVersion() {
    return new DriverVersion(NAME, version(), PRODUCT_NAME, version(), false, MAJOR_VERSION,
        MINOR_VERSION, MAJOR_VERSION, MINOR_VERSION);
  }

  /**
   * Returns a Meta of the connection's own, as Calcite's driver does, so that a connection the
   * application forgets is collected with its Meta.
   */
  @Override
  public Meta createMeta(AvaticaConnection connection) {
    return SparMeta.embedded();
  }

  /** Opens a connection with its own session; {@code info} is not parsed from the URL. */
  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null; // JDBC: another driver may accept it
    }
    return factory.newConnection(this, factory, url, info == null ? new Properties() : info);
  }

  @Override
  public boolean acceptsURL(String url) {
    return SparUrl.accepts(url);
  }

  /**
   * Opens a session on the engine {@code url} names (starting the engine, or a local cluster,
   * if this is the first session on it), and reaches the coordinator once so that an
   * unreachable one fails now rather than at the first statement.
   */
  static SparSession openSession(SparUrl url) throws SQLException {
    SparEngine engine = url.isLocal()
        ? LocalClusters.engine(url.localDirectory(), url.workers(), url.limits())
        : EngineRegistry.engine(url.coordinatorUrl(), url.user(), url.password(),
            url.limits());
    SparSession session = new SparSession(engine);
    session.schemaBasedShardingByDefault(url.schemaBasedSharding());
    try {
      session.lookup(coordinator -> null);
    } catch (SQLException e) {
      session.close();
      throw e;
    }
    return session;
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    Properties values = new Properties();
    if (info != null) {
      values.putAll(info);
    }
    try {
      SparUrl parsed = SparUrl.parse(url, info);
      put(values, "coordinator", parsed.coordinatorUrl());
      put(values, "local", parsed.localDirectory());
      put(values, "workers", parsed.isLocal() ? parsed.workers() : null);
      put(values, "user", parsed.user());
    } catch (SQLException e) {
      // Tools ask for property info while the URL is still being typed; show what is known.
    }
    return new DriverPropertyInfo[] {
        property(values, "coordinator", "pgjdbc URL of the coordinator database"),
        property(values, "local", "directory of a local cluster to start or reuse"),
        property(values, "workers", "number of workers of a local cluster (default 2)"),
        property(values, "user", "user name on the coordinator and workers"),
        property(values, "password", "password of the user"),
    };
  }

  private static void put(Properties values, String key, Object value) {
    if (value != null) {
      values.setProperty(key, value.toString());
    }
  }

  private static DriverPropertyInfo property(Properties values, String key, String description) {
    DriverPropertyInfo property = new DriverPropertyInfo(key, values.getProperty(key));
    property.description = description;
    property.required = false;
    return property;
  }
}
