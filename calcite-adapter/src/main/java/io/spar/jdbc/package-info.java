/**
 * The {@code jdbc:spar:} JDBC driver, built on Avatica as Calcite's own driver is: Avatica's
 * connection, statements and result sets from {@link io.spar.jdbc.SparJdbcFactory}, with pgjdbc's
 * behaviour where it differs, running through {@link io.spar.jdbc.SparMeta} over a
 * {@link io.spar.session.SparSession}; the same Meta serves remote clients.
 */
package io.spar.jdbc;
