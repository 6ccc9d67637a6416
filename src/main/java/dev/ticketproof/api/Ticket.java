package dev.ticketproof.api;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.Measure;
import dev.ticketproof.net.Network;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A built ticket: its certificate, the kernel's report, and how its tolerance was chosen. Made by
 * {@link Tickets.Builder#build}.
 *
 * <p>API status: experimental.
 */
public final class Ticket {
  /** How the per-parameter tolerance, or the input scale lambda of the univariate layers, was chosen. */
  public enum Basis {
    /** Given by the caller. */
    GIVEN("given"),
    /**
     * The default ({@link dev.ticketproof.construct.Defaults#lambda(Activation, double)}), for lambda only: phi has
     * no remainder, or the tolerance was given (one construction at the given parameters).
     */
    DEFAULT("default"),
    /**
     * Calibrated for the relative output goal (a measurement; lambda: the default, or the default halved until the
     * modelled share of the linearisation fits, {@link dev.ticketproof.measure.Goals#calibrateLambda}).
     */
    CALIBRATED("calibrated"),
    /** Calibrated, then tightened after the built ticket's measured error missed the goal. */
    TIGHTENED("calibrated, tightened after measuring"),
    /** Searched until the kernel's certified bound met the requested output error. */
    CERTIFIED_SEARCH("certified search");

    private final String label;

    Basis(String label) { this.label = label; }

    /** A short description, e.g. {@code calibrated}. */
    public String label() { return label; }
  }

  private final Network target;
  private final Activation phi;
  private final TicketBuilder.Result result;
  private final double tolerance;
  private final Basis basis;
  private final Basis lambdaBasis;
  private final int builds;
  private final Boolean outputEpsMet;
  private final Measure.Result measured;
  /** The points of a local certificate's balls, or null. */
  private final double[][] around;
  private Evaluator evaluator;

  Ticket(Network target, Activation phi, TicketBuilder.Result result, double tolerance, Basis basis, int builds,
      Boolean outputEpsMet, Measure.Result measured, Basis lambdaBasis, double[][] around) {
    this.target = target;
    this.phi = phi;
    this.result = result;
    this.tolerance = tolerance;
    this.basis = basis;
    this.builds = builds;
    this.outputEpsMet = outputEpsMet;
    this.measured = measured;
    this.lambdaBasis = lambdaBasis;
    this.around = around;
  }

  /** The certificate: the source network's parameters, the target's hash, the mask and the claimed bound. */
  public TicketCertificate certificate() { return result.certificate(); }

  /** The kernel's report made when the ticket was built (verdict, certified bound, per-layer figures). */
  public TicketChecker.Report report() { return result.report(); }

  /** The certified bound on sup |target - ticket| over the input box (infinite when the kernel rejected it). */
  public double certifiedBound() { return result.report().certifiedBound(); }

  /**
   * Checks the certificate again with the kernel, from scratch, against the target (a local certificate over the
   * balls around the points it was built for).
   *
   * @return the kernel's verdict
   */
  public Verdict verify() {
    return TicketChecker.check(result.certificate(), target, phi, TicketChecker.Listener.NONE, around).verdict();
  }

  /**
   * The ticket's outputs on one input (evaluated sparsely, kept weights only), passed through the target's output
   * activation when it has one ({@link Network#outputActivation}: a final sigmoid or softmax, which the ticket's
   * layers leave out, as the target's do).
   *
   * @param x an input of length C*H*W (CHW order). Not modified.
   * @return the outputs
   */
  public double[] outputs(double[] x) {
    if (evaluator == null) evaluator = Evaluator.ofTicket(result.source(), result.certificate());
    double[] y = evaluator.apply(x);
    if (target.outputActivation() != null) {
      target.outputActivation().applyInPlace(y, TicketExport.outputShape(result.source(), target)[0]);
    }
    return y;
  }

  /**
   * Writes the certificate as a {@code .tpz} file (atomically: a temporary file, then a move; see
   * {@link dev.ticketproof.io.AtomicFile}), with the target's input shape recorded in the header (so that
   * {@code verify} builds a file target for it).
   *
   * @throws IOException when the file cannot be written
   */
  public void write(Path file) throws IOException {
    dev.ticketproof.io.AtomicFile.write(file, os -> TicketWriter.write(result.certificate(), null,
        target.inputShape(), os));
  }

  /** The per-parameter tolerance of the subset-sum instances. */
  public double tolerance() { return tolerance; }

  /** How the tolerance was chosen. */
  public Basis toleranceBasis() { return basis; }

  /** The input scale of the univariate layers (the source's). */
  public double lambda() { return result.source().params().lambda(); }

  /**
   * How lambda was chosen: given, the default, calibrated for the output goal, tightened after measuring (divided
   * by 4 with the tolerance), or scaled with the tolerance of the certified search.
   */
  public Basis lambdaBasis() { return lambdaBasis; }

  /** Constructions run for this ticket (more than one when the tolerance was tightened or searched). */
  public int builds() { return builds; }

  /** With a certified output error goal: whether it was met; {@code null} without one. */
  public Boolean outputEpsMet() { return outputEpsMet; }

  /** The measured error on sample inputs (the certified bound must dominate it). */
  public Measure.Result measured() { return measured; }

  /**
   * The construction's full result (source network, solver failures, instances). Its type belongs to the
   * construction, which the module does not export: on the module path this method is not usable.
   */
  @SuppressWarnings("exports")
  public TicketBuilder.Result result() { return result; }
}
