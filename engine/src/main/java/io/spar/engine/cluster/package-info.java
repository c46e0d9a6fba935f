/**
 * Answers "where are the PostgreSQL servers for this test or benchmark?" by starting, reusing and stopping a local
 * coordinator plus worker clusters on loopback ports.
 */
package io.spar.engine.cluster;
