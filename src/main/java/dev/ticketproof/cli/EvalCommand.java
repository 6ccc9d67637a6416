package dev.ticketproof.cli;

import com.google.gson.Gson;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.Npy;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.net.Forward;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ticketproof eval}: the forward pass of a target on a batch, written as {@code .npy}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Runs the target's forward pass on a batch (.npy, [N, C, H, W] or [N, F]) and writes the "
        + "outputs as .npy, for comparison with PyTorch. Nothing is written unless every input is valid."})
public final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "PATH",
      description = "Target: .pt, .npy, .npz or a directory of .npy files.")
  Path target;

  @Option(names = "--arch", required = true, paramLabel = "SPEC",
      description = "Architecture: synflow-conv, openlth-cifar-resnet or a .json spec (docs/arch-spec.md).")
  String arch;

  @Option(names = "--activation", paramLabel = "A",
      description = "Activation (catalog name, e.g. relu); default: the spec's \"activation\".")
  String activation;

  @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input batch.")
  Path input;

  @Option(names = "--out", required = true, paramLabel = "Y.npy", description = "Output file (written atomically).")
  Path out;

  @Option(names = "--no-masks", description = "Do not apply masks X_mask.")
  boolean noMasks;

  @Option(names = "--dtype", paramLabel = "T", defaultValue = "float64",
      description = "Output element type: float64 or float32 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "Summary format on stdout: table or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Override public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!format.equals("table") && !format.equals("json")) {
      err.println("ticketproof eval: --format: expected table or json, got '" + format + "'");
      return 2;
    }
    if (!dtype.equals("float64") && !dtype.equals("float32")) {
      err.println("ticketproof eval: --dtype: expected float64 or float32, got '" + dtype + "'");
      return 2;
    }
    Path outDir = out.toAbsolutePath().getParent();
    if (outDir == null || !Files.isDirectory(outDir)) {
      err.println("ticketproof eval: --out " + out + ": directory " + outDir + " does not exist");
      return 2;
    }
    long start = System.nanoTime();
    try {
      StoredTensor x = TensorFiles.readNpy(input);
      Tensor batch = x.tensor();
      if (batch.rank() != 2 && batch.rank() != 4) {
        throw new ImportException("--input " + input + ": expected a batch [N, C, H, W] or [N, F], got shape "
            + Arrays.toString(batch.shape()));
      }
      int[] example = Arrays.copyOfRange(batch.shape(), 1, batch.rank());
      TargetLoader.Loaded target = TargetLoader.load(this.target, arch, activation, example,
          "--input " + input, !noMasks);
      Tensor y;
      try {
        y = Forward.forward(target.built().network(), batch);
      } catch (IllegalArgumentException e) {
        throw new ImportException("--input " + input + " (shape " + Arrays.toString(batch.shape())
            + ") does not fit the target: " + e.getMessage(), e);
      }
      Npy.write(out, y, dtype.equals("float64") ? DType.FLOAT64 : DType.FLOAT32);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (format.equals("json")) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target.tensors().source());
        m.put("arch", arch);
        m.put("activation", target.activation() == null ? null : target.activation().name());
        m.put("input", batch.shape());
        m.put("output", y.shape());
        m.put("out", out.toString());
        m.put("seconds", seconds);
        stdout.println(new Gson().toJson(m));
      } else {
        stdout.printf("%s: output %s written to %s (%.3f s)%n", target.tensors().source(),
            Arrays.toString(y.shape()), out, seconds);
      }
      stdout.flush();
      return 0;
    } catch (ImportException e) {
      err.println("ticketproof eval: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("ticketproof eval: --out " + out + ": cannot write (" + e.getMessage() + ")");
      return 2;
    }
  }
}
