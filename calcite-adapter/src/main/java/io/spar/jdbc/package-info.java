/**
 * The {@code jdbc:spar:} JDBC driver: connections, statements and in-memory result sets over a
 * {@link io.spar.session.SparSession}.
 */
package io.spar.jdbc;
