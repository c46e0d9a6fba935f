/**
 * The remote server: an Avatica HTTP server whose remote connections are Spar connections,
 * with BASIC authentication against a users file of SCRAM-SHA-256 password verifiers (the same
 * ones the PostgreSQL wire protocol's SCRAM exchange checks), optional TLS and an idle timeout
 * for remote connections.
 */
package io.spar.server;
