/**
 * The PostgreSQL wire protocol (version 3) endpoint of {@code spar serve}, so that any
 * PostgreSQL client (psql, libpq, pgjdbc, psycopg, Ruby's pg, pgbench) connects to Spar as to
 * one PostgreSQL server. One class per concern: framing ({@link io.spar.pgwire.MessageFraming}),
 * startup and SCRAM-SHA-256 authentication ({@link io.spar.pgwire.Startup},
 * {@link io.spar.pgwire.ScramExchange}), the simple and extended query protocols, COPY, errors
 * and notices, and value formats; Netty carries the bytes.
 */
package io.spar.pgwire;
