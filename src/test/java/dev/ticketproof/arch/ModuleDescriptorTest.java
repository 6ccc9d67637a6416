package dev.ticketproof.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module descriptor ({@code src/main/java/module-info.java}): what it exports, that it resolves against the
 * runtime dependencies alone, and that the library and the command line run as a named module. The other tests run on
 * the class path, where the descriptor is not read.
 */
class ModuleDescriptorTest {
  static final String MODULE = "dev.ticketproof";
  static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();

  /** The runtime dependencies, as the build wrote them (maven-dependency-plugin, runtime scope). */
  static List<Path> runtime() throws Exception {
    String cp = Files.readString(Path.of("target", "runtime-classpath.txt"), StandardCharsets.UTF_8).trim();
    List<Path> paths = new ArrayList<>();
    for (String p : cp.split(File.pathSeparator)) if (!p.isBlank()) paths.add(Path.of(p));
    return paths;
  }

  static List<Path> modulePath() throws Exception {
    List<Path> paths = new ArrayList<>(List.of(CLASSES));
    paths.addAll(runtime());
    return paths;
  }

  @Test
  void theModuleExportsTheApiTheKernelTheReadersAndTheDataTheyName() {
    ModuleDescriptor d = ModuleFinder.of(CLASSES).find(MODULE).orElseThrow().descriptor();
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports e : d.exports()) {
      assertThat(e.isQualified()).as("export of %s is unqualified", e.source()).isFalse();
      exported.add(e.source().substring(MODULE.length() + 1));
    }
    assertThat(exported).containsExactly("activation", "api", "io", "kernel", "kernel.bound", "kernel.check",
        "kernel.lemma", "limits", "measure", "net", "random", "tensor");
    Set<String> inside = new TreeSet<>(d.packages());
    inside.removeAll(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertThat(inside).contains(MODULE + ".cli", MODULE + ".construct", MODULE + ".subsetsum", MODULE + ".targets",
        MODULE + ".report", MODULE + ".stats");
    assertThat(d.opens()).singleElement().satisfies(o -> {
      assertThat(o.source()).isEqualTo(MODULE + ".cli");
      assertThat(o.targets()).containsExactly("info.picocli");
    });
  }

  @Test
  void theLibraryBuildsAndVerifiesATicketAsANamedModule() throws Exception {
    ModuleFinder finder = ModuleFinder.of(modulePath().toArray(Path[]::new));
    Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of(MODULE));
    assertThat(cf.findModule(MODULE)).isPresent();
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    Class<?> tickets = layer.findLoader(MODULE).loadClass(MODULE + ".api.Tickets");
    assertThat(tickets.getModule().getName()).isEqualTo(MODULE);
    Object builder = tickets.getMethod("builtin", String.class, String.class).invoke(null, "small-fc", "relu");
    Class<?> b = builder.getClass();
    b.getMethod("threads", int.class).invoke(builder, 1);
    Object ticket = b.getMethod("build").invoke(builder);
    Object verdict = ticket.getClass().getMethod("verify").invoke(ticket);
    assertThat(verdict).hasToString("holds");
    double[] y = (double[]) ticket.getClass().getMethod("outputs", double[].class)
        .invoke(ticket, (Object) new double[] {0.1, -0.2, 0.3, 0.4});
    // the same ticket, built on the class path, gives the same outputs
    double[] expected = dev.ticketproof.api.Tickets.builtin("small-fc", "relu").threads(1).build()
        .outputs(new double[] {0.1, -0.2, 0.3, 0.4});
    assertThat(y).containsExactly(expected);
  }

  @Test
  void theCommandLineRunsFromTheModulePath(@TempDir Path dir) throws Exception {
    String path = modulePath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    Path ticket = dir.resolve("t.tpz");
    String out = run(dir, path, "construct", "--target", "builtin:small-fc", "--rho", "8", "--eps", "0.05",
        "--threads", "1", "--no-progress", "--out", ticket.toString(), "--format", "json");
    assertThat(out).contains("\"verdict\":\"holds\"");
    assertThat(run(dir, path, "verify", ticket.toString(), "--format", "json")).contains("\"verdict\":\"holds\"");
    assertThat(run(dir, path, "activations", "--format", "json")).contains("\"relu\"");
  }

  static String run(Path dir, String modulePath, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-p", modulePath, "-m", MODULE + "/" + MODULE + ".cli.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s exited with output:%n%s", cmd, out).isZero();
    return out;
  }

}
