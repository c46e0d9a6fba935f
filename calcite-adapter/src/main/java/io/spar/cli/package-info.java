/**
 * How a person uses Spar from a terminal: the {@code bin/spar} entry point and its
 * subcommands ({@code serve}, {@code sql}, {@code status}, {@code passwd}, {@code exec}).
 */
package io.spar.cli;
