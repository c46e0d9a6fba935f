/**
 * The remote server: an Avatica HTTP server whose remote connections are Spar connections,
 * with BASIC authentication against a users file of PBKDF2 password hashes, optional TLS and
 * an idle timeout for remote connections.
 */
package io.spar.server;
