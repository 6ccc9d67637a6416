/**
 * Measurements, never verdicts: the sparse evaluator of targets and tickets ({@link dev.ticketproof.measure.Evaluator}),
 * the measured error of a built ticket on box samples or data ({@link dev.ticketproof.measure.Measure}), accuracy
 * and agreement on labelled data ({@link dev.ticketproof.measure.DataCheck}) and the parameter counts of a ticket
 * ({@link dev.ticketproof.measure.Sizes}). A certified bound must dominate every
 * measurement; nothing here decides whether a certificate holds.
 *
 * <p><b>API status.</b> Experimental: the measurements' records may gain fields.
 */
package dev.ticketproof.measure;
