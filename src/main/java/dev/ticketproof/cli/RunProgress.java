package dev.ticketproof.cli;

import dev.ticketproof.api.Tickets;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.check.TicketChecker;
import java.util.ArrayList;
import java.util.List;

/**
 * One progress display over a whole construct or verify run: the construction layer by layer, the kernel's check
 * with its differential bound box by box, and the measurement on sample inputs. Stages are weighted by an estimate of
 * their cost from the source network, so that the bar moves evenly and its ETA covers everything still to come:
 * per layer, E = (target nonzeros) x (copies per channel) is about the number of subset-sum instances; a
 * construction layer costs about (1.5 + 0.011 rho) E, a kernel pass 4 (source units) x (output positions) (30 % its layers'
 * checks, 70 % the differential bound over one box, as many times as the certificate has balls), and every sample
 * evaluated 0.002 E x (output positions), in microseconds, calibrated on ResNet-20 and the MNIST analogue
 * (docs/performance.md, "Progress weights"). A search over
 * tolerances ({@code --output-eps}) adds a construction round each time it builds again. The adversarial search that
 * follows a construction is planned from the start, its evaluations ({@code --search}, or the default budget for
 * a ticket of about two kept weights per subset-sum instance) weighted like samples, and set to its real budget when
 * it starts: planned only then, its weight made the percentage fall back (99 % to 52 % on a small MLP whose search
 * took 44 of its 55 seconds).
 */
final class RunProgress implements Tickets.Progress, AutoCloseable {
  private record Stage(String label, double weight, double[] layerWeights) {}

  private static final String BOUND = "certified bound";
  /**
   * The share of one box of the differential bound in the kernel's weight, the rest its layers' checks: 2 to 3 s
   * against 1 s on the nets of docs/performance.md, "Progress weights".
   */
  private static final double BOUND_PER_BOX = 0.7;

  private final OverallProgress out;
  private final boolean construct;
  private final int samples;
  /** {@code --search} as given (null: the default budget); construct only. */
  private final Integer search;
  /** The {@code --data} rows measured after the search (0: none), the run's last stage. */
  private final int dataInputs;
  private Stage data;
  private final List<Stage> round = new ArrayList<>();
  private Stage measuring;
  private Stage searching;
  private double perSample;
  private final List<Stage> stages = new ArrayList<>();
  private int current = -1;
  private double before;
  private double total;
  private String lastLayer;
  private boolean finished;
  private long shown;

  private RunProgress(OverallProgress out, boolean construct, int samples, Integer search, int dataInputs) {
    this.out = out;
    this.construct = construct;
    this.samples = samples;
    this.search = search;
    this.dataInputs = dataInputs;
  }

  /**
   * Sets the stages from the source network about to be built or checked: one round (construction layers and
   * kernel passes) and the measurement.
   */
  @Override
  public synchronized void plan(SourceNetwork src) {
    round.clear();
    stages.clear();
    current = -1;
    before = 0;
    total = 0;
    shown = 0;
    List<Double> kernel = new ArrayList<>();
    double kernelTotal = 0;
    double measure = 0;
    double multiplyAdds = 0; // of one evaluation of target and ticket, the ticket estimated (LowerBound#multiplyAdds)
    int rho = src.params().rho();
    for (SourceNetwork.Node n : src.nodes()) {
      if (n instanceof SourceNetwork.Univariate u) {
        int[] in = src.plan().inputShape();
        double w = 4.0 * u.out().units() * in[1] * in[2];
        kernel.add(w);
        kernelTotal += w;
      }
      for (SourceNetwork.Conv c : convs(n)) {
        TargetPlan.Affine a = c.target();
        double positions = (double) a.outShape()[1] * a.outShape()[2];
        double e = (double) dev.ticketproof.measure.Sizes.count(a, 0) * Math.max(1, c.out().rho());
        if (construct) round.add(new Stage("layer " + a.name(), (1.5 + 0.011 * rho) * e, null));
        kernel.add(4.0 * c.out().units() * positions);
        kernelTotal += 4.0 * c.out().units() * positions;
        measure += 0.002 * e * positions;
        multiplyAdds += (dev.ticketproof.measure.Sizes.count(a, 0) + 2 * e) * positions;
      }
    }
    double[] kernelLayers = kernel.stream().mapToDouble(Double::doubleValue).toArray();
    // the kernel's check: its layers, then the differential bound box by box (weighted by its boxes as it starts)
    round.add(new Stage("kernel check", (1 - BOUND_PER_BOX) * kernelTotal, kernelLayers));
    round.add(new Stage(BOUND, BOUND_PER_BOX * kernelTotal, null));
    measuring = samples > 0 ? new Stage("measuring " + samples + " samples", measure * samples, null) : null;
    perSample = measure;
    searching = null;
    stages.addAll(round);
    if (measuring != null) stages.add(measuring);
    if (construct && (search == null || search > 0 || samples > 0)) {
      long budget = Math.max(samples, search != null ? search
          : dev.ticketproof.measure.LowerBound.budgetFor(Math.max(1, multiplyAdds)));
      searching = new Stage("adversarial search", measure * budget, null);
      stages.add(searching);
    }
    data = dataInputs > 0 ? new Stage("evaluating " + dataInputs + " data inputs", measure * dataInputs, null) : null;
    if (data != null) stages.add(data);
    for (Stage s : stages) total += s.weight;
  }

  private static List<SourceNetwork.Conv> convs(SourceNetwork.Node n) {
    if (n instanceof SourceNetwork.Conv c) return List.of(c);
    if (n instanceof SourceNetwork.Residual r) {
      List<SourceNetwork.Conv> all = new ArrayList<>(List.of(r.conv1(), r.conv2()));
      if (r.projection() != null) all.add(r.projection());
      return all;
    }
    return List.of();
  }

  /**
   * Progress of construct: construction, both kernel passes, {@code samples} measurements, the search of
   * {@code search} evaluations (null: the default budget) and the {@code dataInputs} rows of {@code --data};
   * {@link #plan} first.
   */
  static RunProgress construct(boolean show, int samples, Integer search, int dataInputs) {
    return new RunProgress(OverallProgress.ofRun(show, "construct"), true, samples, search, dataInputs);
  }

  /**
   * Progress of verify: the kernel's check of {@code src}, {@code samples} measurements and the {@code dataInputs}
   * rows of {@code --data}.
   */
  static RunProgress verify(boolean show, SourceNetwork src, int samples, int dataInputs) {
    RunProgress p = new RunProgress(OverallProgress.ofRun(show, "verify"), false, samples, null, dataInputs);
    if (src != null) p.plan(src);
    return p;
  }

  /**
   * Moves to the next stage whose label starts with {@code prefix}. When the construction starts again (a search over
   * tolerances builds again), a new round goes in after the current stage, followed by a measurement when the
   * previous round ended with one.
   */
  private void enter(String prefix) {
    int next = current + 1;
    if (prefix.equals("layer") && (next >= stages.size() || !stages.get(next).label.startsWith("layer"))) {
      if (!construct || round.isEmpty()) return;
      List<Stage> add = new ArrayList<>(round);
      if (current >= 0 && stages.get(current) == measuring) add.add(measuring);
      stages.addAll(next, add);
      for (Stage s : add) total += s.weight;
    }
    int at = next;
    while (at < stages.size() && !stages.get(at).label.startsWith(prefix)) at++;
    if (at >= stages.size()) return;
    if (current >= 0) before += stages.get(current).weight;
    for (int k = next; k < at; k++) before += stages.get(k).weight; // stages that did not run
    current = at;
    out.stage(permille(0), 1000, stages.get(current).label);
  }

  /**
   * The share done, never below one shown before: a stage weighted again as it starts (the search's real budget, the
   * bound's boxes) or a new round makes the estimate fall, and the bar then waits for it rather than going back.
   */
  private long permille(double fraction) {
    double w = current < 0 ? 0 : stages.get(current).weight * Math.min(1, Math.max(0, fraction));
    shown = Math.max(shown, Math.min(1000, Math.round(1000 * (before + w) / Math.max(total, 1e-9))));
    return shown;
  }

  @Override
  public synchronized void step(String layer, long done, long totalUnits) {
    if (!layer.equals(lastLayer) || current < 0 || !stages.get(current).label.startsWith("layer")) {
      lastLayer = layer;
      enter("layer");
      if (current < 0 || !stages.get(current).label.startsWith("layer")) return;
    }
    out.update(permille((double) done / Math.max(1, totalUnits)), 1000, stages.get(current).label);
  }

  /** Called as a kernel pass starts: enters its stage and returns the listener for its layers. */
  @Override
  public TicketChecker.Listener kernel(String pass) {
    String prefix = "kernel check";
    kernelLayer(prefix, 0);
    return new TicketChecker.Listener() {
      @Override public void layerDone(String name, int done, int layers) { kernelLayer(prefix, done); }

      @Override public void bound(long done, long steps, int boxes) { bounding(done, steps, boxes); }
    };
  }

  /** The differential bound's progress: its stage takes the weight of its boxes as it starts. */
  private synchronized void bounding(long done, long steps, int boxes) {
    if (current < 0 || !stages.get(current).label.startsWith(BOUND)) {
      int at = current + 1;
      while (at < stages.size() && !stages.get(at).label.startsWith(BOUND)) at++;
      if (at < stages.size()) {
        Stage one = stages.get(at);
        Stage all = new Stage(boxes == 1 ? BOUND : BOUND + " over " + boxes + " balls", one.weight * boxes, null);
        total += all.weight - one.weight;
        stages.set(at, all);
      }
      enter(BOUND);
      if (current < 0 || !stages.get(current).label.startsWith(BOUND)) return;
    }
    out.update(permille((double) done / Math.max(1, steps)), 1000, stages.get(current).label);
  }

  /** Called as the kernel's check starts outside a construction (verify). */
  TicketChecker.Listener check() { return kernel("check"); }

  private synchronized void kernelLayer(String prefix, int done) {
    if (current < 0 || !stages.get(current).label.startsWith(prefix)) {
      lastLayer = null;
      enter(prefix);
      if (current < 0 || !stages.get(current).label.startsWith(prefix)) return;
    }
    double[] w = stages.get(current).layerWeights;
    double sum = 0;
    double all = 0;
    for (int k = 0; k < w.length; k++) {
      if (k < done) sum += w[k];
      all += w[k];
    }
    out.update(permille(sum / Math.max(all, 1e-9)), 1000, stages.get(current).label);
  }

  /**
   * Sets the adversarial search for the lower bound as the last stage: {@code evaluations} inputs, each weighted like
   * a sample (the planned stage takes that weight; verify adds it).
   */
  synchronized void searching(long evaluations) {
    if (evaluations <= 0) return;
    Stage real = new Stage("adversarial search", perSample * evaluations, null);
    int at = searching == null ? -1 : stages.indexOf(searching);
    if (at > current) {
      total += real.weight - searching.weight;
      stages.set(at, real);
    } else if (searching == null) {
      stages.add(data == null || stages.indexOf(data) <= current ? stages.size() : stages.indexOf(data), real);
      total += real.weight;
    } else {
      return;
    }
    searching = real;
  }

  /** Progress of the search: {@code done} of {@code n} evaluations. */
  synchronized void searched(long done, long n) {
    if (current < 0 || !stages.get(current).label.startsWith("adversarial")) enter("adversarial");
    if (current < 0 || !stages.get(current).label.startsWith("adversarial")) return;
    out.update(permille((double) done / Math.max(1, n)), 1000, stages.get(current).label);
  }

  /** Progress of the measurement: {@code done} of {@code n} samples evaluated. */
  @Override
  public synchronized void measured(int done, int n) {
    if (current < 0 || !stages.get(current).label.startsWith("measuring")) enter("measuring");
    if (current < 0 || !stages.get(current).label.startsWith("measuring")) return;
    out.update(permille((double) done / Math.max(1, n)), 1000, stages.get(current).label);
  }

  /** Progress of the measurement on the data: {@code done} of its rows evaluated. */
  synchronized void evaluatedData(int done) {
    if (current < 0 || stages.get(current) != data) enter("evaluating");
    if (current < 0 || stages.get(current) != data) return;
    out.update(permille((double) done / Math.max(1, dataInputs)), 1000, data.label);
  }

  /** Marks the run as finished: closing then shows it done (a run that ends in an error is not shown as done). */
  synchronized void finished() { finished = true; }

  @Override
  public synchronized void close() {
    if (current >= 0 && finished) out.stage(1000, 1000, "done");
    out.close();
  }
}
