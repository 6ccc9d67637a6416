/**
 * The command line ({@code ./ticketproof}): picocli commands over the library. Only this package knows flag
 * names; it maps the library's errors to usage errors (exit code 2). Nothing else depends on it.
 */
package dev.ticketproof.cli;
