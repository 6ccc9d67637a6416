/**
 * Output of the bounds report: tables of string cells read from and written to CSV
 * ({@link dev.ticketproof.report.Table}), figures written as PNG and SVG with a provenance footer
 * ({@link dev.ticketproof.report.Figures}), and generated sections of Markdown files between
 * {@code <!-- report:NAME -->} markers ({@link dev.ticketproof.report.Markers}). The experiments themselves are run
 * by the {@code report} and {@code sweep} commands.
 */
package dev.ticketproof.report;
