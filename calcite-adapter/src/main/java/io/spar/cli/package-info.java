/**
 * How a person starts Spar from a terminal: the {@code bin/spar} entry point.
 */
package io.spar.cli;
