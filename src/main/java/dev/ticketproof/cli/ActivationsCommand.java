package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.ConstantDerivation;
import dev.ticketproof.activation.DerivedConstants;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.construct.TicketExport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code activations}: the activation catalog with the constants of the [identity] lemma and whether each
 * activation satisfies its hypothesis. Non-finite numbers (an infinite radius, the Lipschitz constant of x^2) are
 * printed as JSON null.
 */
@Command(name = "activations", mixinStandardHelpOptions = true,
    description = "Lists the activation catalog: phi(0), one-sided slopes at 0, Lipschitz constant, local remainder "
        + "bound, and whether the [identity] lemma supports it (and why not).")
public final class ActivationsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @CommandLine.Mixin FormatOption format;

  @Option(names = "--activation", description = "List only these activations (repeatable), e.g. leaky-relu(0.2).")
  List<String> only;

  @Option(names = "--derive", description = "Also derive every constant numerically (automatic differentiation and "
      + "Brent optimisation) and print it next to the stated one.")
  boolean derive;

  @Override
  public Integer call() {
    List<Activation> list = new ArrayList<>();
    if (only == null || only.isEmpty()) {
      list.addAll(ActivationCatalog.all());
    } else {
      for (String s : only) {
        try {
          list.add(ActivationCatalog.parse(s));
        } catch (IllegalArgumentException e) {
          throw new UsageError("--activation: " + e.getMessage());
        }
      }
    }
    JsonArray out = new JsonArray();
    for (Activation a : list) {
      out.add(describe(a, derive));
    }
    PrintWriter pw = spec.commandLine().getOut();
    if (format.json()) {
      pw.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting().create().toJson(out));
    } else {
      printTable(pw, out);
    }
    pw.flush();
    return 0;
  }

  /**
   * The JSON description of one activation: name, phi0, slopeMinus, slopePlus, lipschitz, remainder {form,
   * constant, power, radius}, torchModule ({@link TicketExport#activationModule}), supported, reason (when not
   * supported), construction (which [identity] construction applies), and derived (with {@code derive}).
   */
  static JsonObject describe(Activation a, boolean derive) {
    JsonObject o = new JsonObject();
    o.addProperty("name", a.name());
    o.add("phi0", num(a.phi0()));
    o.add("slopeMinus", num(a.slopeMinus()));
    o.add("slopePlus", num(a.slopePlus()));
    o.add("lipschitz", num(a.lipschitz()));
    JsonObject rem = new JsonObject();
    boolean exact = a.remainderConstant() == 0;
    rem.addProperty("form", exact ? (a.remainderRadius() == Double.POSITIVE_INFINITY
        ? "exact (piecewise linear through 0)" : "exact on |t|<=r (piecewise linear through 0)")
        : "M|t|^" + a.remainderPower() + " on |t|<=r");
    rem.add("constant", num(a.remainderConstant()));
    rem.addProperty("power", a.remainderPower());
    rem.add("radius", num(a.remainderRadius()));
    o.add("remainder", rem);
    o.add("torchModule", TicketExport.activationModule(a.name()));
    List<String> violations = IdentityHypothesis.violations(a);
    o.addProperty("supported", violations.isEmpty());
    if (!violations.isEmpty()) {
      o.addProperty("reason", String.join("; ", violations));
    } else {
      o.addProperty("construction", construction(a));
    }
    if (derive) {
      DerivedConstants d = ConstantDerivation.derive(a);
      JsonObject dj = new JsonObject();
      dj.add("phi0", num(d.phi0()));
      dj.add("slopeMinus", num(d.slopeMinus()));
      dj.add("slopePlus", num(d.slopePlus()));
      dj.add("lipschitz", num(d.lipschitz()));
      dj.add("lipschitzArgmax", num(d.lipschitzArgmax()));
      dj.add("remainderConstant", num(d.remainderConstant()));
      dj.addProperty("remainderPower", d.remainderPower());
      o.add("derived", dj);
    }
    return o;
  }

  private static String construction(Activation a) {
    if (a.phi0() == 0 && a.remainderConstant() == 0 && a.remainderRadius() == Double.POSITIVE_INFINITY) {
      return "sign-split";
    }
    if (a.slopeMinus() == a.slopePlus()) {
      return "linearisation";
    }
    return "symmetric-linearisation";
  }

  private static JsonElement num(double v) { return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE; }

  private static void printTable(PrintWriter pw, JsonArray rows) {
    String fmt = "%-18s %-9s %-10s %-10s %-10s %-10s %-30s %-36s %s%n";
    pw.printf(Locale.ROOT, fmt, "name", "supported", "phi0", "m-", "m+", "Lipschitz", "remainder", "PyTorch",
        "construction/reason");
    for (JsonElement e : rows) {
      JsonObject o = e.getAsJsonObject();
      JsonObject rem = o.getAsJsonObject("remainder");
      String remainder = rem.get("constant").getAsDouble() == 0
          ? "exact" + (rem.get("radius").isJsonNull() ? "" : " on |t|<=" + rem.get("radius"))
          : String.format(Locale.ROOT, "%.6g |t|^%d on |t|<=%s", rem.get("constant").getAsDouble(),
              rem.get("power").getAsInt(), rem.get("radius").isJsonNull() ? "inf" : rem.get("radius").toString());
      boolean ok = o.get("supported").getAsBoolean();
      pw.printf(Locale.ROOT, fmt, o.get("name").getAsString(), ok ? "yes" : "no", g(o.get("phi0")),
          g(o.get("slopeMinus")), g(o.get("slopePlus")), g(o.get("lipschitz")), remainder, torch(o.get("torchModule")),
          ok ? o.get("construction").getAsString() : o.get("reason").getAsString());
    }
  }

  /** The module as Python builds it, e.g. {@code Hardtanh(min_val=-1.0, max_val=1.0)}; "-" for none. */
  private static String torch(JsonElement m) {
    if (m.isJsonNull()) return "-";
    List<String> kwargs = new ArrayList<>();
    m.getAsJsonObject().getAsJsonObject("kwargs").entrySet().forEach(e -> kwargs.add(e.getKey() + "="
        + (e.getValue().getAsJsonPrimitive().isString() ? "'" + e.getValue().getAsString() + "'" : e.getValue())));
    return m.getAsJsonObject().get("class").getAsString() + "(" + String.join(", ", kwargs) + ")";
  }

  private static String g(JsonElement v) {
    return v.isJsonNull() ? "inf" : String.format(Locale.ROOT, "%.6g", v.getAsDouble());
  }
}
