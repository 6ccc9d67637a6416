package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFilesTest {
  @TempDir Path tmp;

  @Test void zipLegacyNpzAndNpyDirectoryGiveTheSameTensors() {
    TensorFile zip = TensorFiles.read(Fixtures.path("synflow_conv.pt"), false);
    assertThat(zip.names()).containsExactly("0.weight", "0.bias", "0.weight_mask", "0.bias_mask", "2.weight",
        "2.bias", "2.weight_mask", "2.bias_mask", "5.weight", "5.bias", "5.weight_mask", "5.bias_mask");
    assertThat(zip.tensors().get("5.weight").tensor().shape()).containsExactly(3, 100);
    for (String other : new String[] {"synflow_conv_legacy.pt", "synflow_conv.npz", "synflow_conv_npy"}) {
      TensorFile f = TensorFiles.read(Fixtures.path(other), false);
      assertThat(f.tensors().keySet()).as(other).containsExactlyInAnyOrderElementsOf(zip.tensors().keySet());
      for (String name : zip.names()) {
        assertThat(f.tensor(name)).as(other + " " + name).isEqualTo(zip.tensor(name));
        assertThat(f.tensors().get(name).dtype()).isEqualTo(DType.FLOAT32);
      }
    }
  }

  @Test void storageTypesStridesAndOffsetsMatchPyTorch() {
    TensorFile f = TensorFiles.read(Fixtures.path("dtypes.pt"));
    TensorFile expected = TensorFiles.read(Fixtures.path("dtypes_expected.npz"));
    assertThat(f.names()).containsExactlyElementsOf(expected.names());
    for (String name : expected.names()) {
      assertThat(f.tensor(name)).as(name).isEqualTo(expected.tensor(name));
    }
    assertThat(f.tensors().get("f16").dtype()).isEqualTo(DType.FLOAT16);
    assertThat(f.tensors().get("bf16").dtype()).isEqualTo(DType.BFLOAT16);
    assertThat(f.tensors().get("f64").dtype()).isEqualTo(DType.FLOAT64);
    assertThat(f.tensors().get("i64").dtype()).isEqualTo(DType.INT64);
    assertThat(f.tensors().get("i32").dtype()).isEqualTo(DType.INT32);
    assertThat(f.tensors().get("bool").dtype()).isEqualTo(DType.BOOL);
    assertThat(f.tensor("transposed").shape()).containsExactly(6, 4);
    assertThat(f.tensor("scalar").shape()).isEmpty();
    assertThat(f.tensor("empty").shape()).containsExactly(0, 3);
  }

  @Test void masksAreMultipliedIn() {
    TensorFile raw = TensorFiles.read(Fixtures.path("synflow_conv.pt"), false);
    TensorFile masked = TensorFiles.read(Fixtures.path("synflow_conv.pt"));
    assertThat(masked.names()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias");
    assertThat(masked.appliedMasks()).containsExactlyInAnyOrderElementsOf(masked.names());
    for (String name : masked.names()) {
      double[] x = raw.tensor(name).data();
      double[] m = raw.tensor(name + "_mask").data();
      double[] y = masked.tensor(name).data();
      long zeros = 0;
      for (int i = 0; i < y.length; i++) {
        assertThat(y[i]).isEqualTo(x[i] * m[i]);
        if (m[i] == 0) zeros++;
      }
      if (name.equals("0.weight")) assertThat(zeros).isPositive();
    }
  }

  @Test void maskWithoutTensorOrWithOtherShapeIsRejected() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("m"));
    Npy.write(dir.resolve("a.npy"), Tensor.of(new double[] {1, 2}, 2), DType.FLOAT64);
    Npy.write(dir.resolve("b_mask.npy"), Tensor.of(new double[] {1, 0}, 2), DType.FLOAT64);
    assertThatThrownBy(() -> TensorFiles.read(dir)).isInstanceOf(ImportException.class)
        .hasMessageContaining("mask 'b_mask' has no tensor 'b'");
    Npy.write(dir.resolve("b.npy"), Tensor.of(new double[] {1, 2, 3}, 3), DType.FLOAT64);
    assertThatThrownBy(() -> TensorFiles.read(dir)).isInstanceOf(ImportException.class)
        .hasMessageContaining("mask 'b_mask' has shape [2], but 'b' has shape [3]");
    assertThat(TensorFiles.read(dir, false).names()).containsExactly("a", "b", "b_mask");
  }

  @Test void numpyTypes() {
    assertThat(TensorFiles.read(Fixtures.path("np_f64.npy")).tensor("np_f64").data())
        .containsExactly(0, 1 / 3.0, 2 / 3.0, 1, 4 / 3.0, 5 / 3.0);
    Tensor fortran = TensorFiles.read(Fixtures.path("np_fortran.npy")).tensor("np_fortran");
    assertThat(fortran.shape()).containsExactly(2, 3);
    assertThat(fortran.data()).containsExactly(0, 1 / 3.0, 2 / 3.0, 1, 4 / 3.0, 5 / 3.0);
    StoredTensor f32 = TensorFiles.readNpy(Fixtures.path("np_f32.npy"));
    assertThat(f32.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(f32.tensor().data()[1]).isEqualTo((double) (float) (1 / 3.0));
    StoredTensor i64 = TensorFiles.readNpy(Fixtures.path("np_i64.npy"));
    assertThat(i64.tensor().data()).containsExactly(1, -2, 3, Math.pow(2, 50));
    assertThat(TensorFiles.readNpy(Fixtures.path("np_scalar.npy")).tensor().shape()).isEmpty();
    TensorFile npz = TensorFiles.read(Fixtures.path("np_compressed.npz"));
    assertThat(npz.tensor("b").shape()).containsExactly(3, 2);
    assertThat(npz.tensor("b").data()[1]).isEqualTo((double) (float) 1.0);
  }

  @Test void npyWriterRoundTripsAndIsReadableByTheReader() throws IOException {
    Tensor t = Tensor.of(new double[] {1.5, -2, Math.PI, 0, 1e-300, 7}, 2, 3);
    Path out = tmp.resolve("y.npy");
    Npy.write(out, t, DType.FLOAT64);
    assertThat(TensorFiles.readNpy(out).tensor()).isEqualTo(t);
    byte[] bytes = Files.readAllBytes(out);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    assertThat((10 + headerLength) % 64).isZero();
    assertThat(new String(bytes, 10, headerLength))
        .startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    Npy.write(out, Tensor.of(new double[] {0.1}, 1), DType.FLOAT32);
    assertThat(TensorFiles.readNpy(out).tensor().data()).containsExactly((float) 0.1);
    assertThat(new String(Files.readAllBytes(out), 10, 60)).contains("'shape': (1,), }");
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("y.npy");
    }
  }

  @Test void npyWriteIntoMissingDirectoryLeavesNothing() {
    Path out = tmp.resolve("missing").resolve("y.npy");
    assertThatThrownBy(() -> Npy.write(out, Tensor.of(new double[] {1}, 1), DType.FLOAT64))
        .isInstanceOf(IOException.class);
    assertThat(Files.exists(out.getParent())).isFalse();
  }

  // ------------------------------------------------------------------------------------------------ bad input

  @Test void missingFile() {
    assertThatThrownBy(() -> TensorFiles.read(tmp.resolve("nope.pt"))).isInstanceOf(ImportException.class)
        .hasMessageContaining("nope.pt: no such file");
  }

  @Test void notAZip() throws IOException {
    Path p = Files.writeString(tmp.resolve("text.pt"), "hello, not a tensor file");
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("text.pt: not a zip archive nor a legacy PyTorch file");
    Path empty = Files.write(tmp.resolve("empty.pt"), new byte[0]);
    assertThatThrownBy(() -> TensorFiles.read(empty)).isInstanceOf(ImportException.class)
        .hasMessageContaining("empty file");
  }

  @Test void truncatedZip() throws IOException {
    byte[] all = Files.readAllBytes(Fixtures.path("synflow_conv.pt"));
    Path p = Files.write(tmp.resolve("cut.pt"), Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("cut.pt: not a readable zip archive, truncated or corrupt");
  }

  @Test void missingDataPkl() throws IOException {
    Path p = Fixtures.editedZip(tmp, "synflow_conv.pt", m -> {
      m.remove("synflow_conv/data.pkl");
      return m;
    });
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no data.pkl entry in the zip archive");
  }

  @Test void storageTooShortOrMissing() throws IOException {
    Path shorter = Fixtures.editedZip(tmp, "synflow_conv.pt", m -> {
      m.put("synflow_conv/data/0", Arrays.copyOf(m.get("synflow_conv/data/0"), 200));
      return m;
    });
    assertThatThrownBy(() -> TensorFiles.read(shorter)).isInstanceOf(ImportException.class)
        .hasMessageContaining("synflow_conv/data/0 has 200 bytes").hasMessageContaining("storage too short");
    Path missing = Fixtures.editedZip(tmp, "synflow_conv.pt", m -> {
      m.remove("synflow_conv/data/3");
      return m;
    });
    assertThatThrownBy(() -> TensorFiles.read(missing)).isInstanceOf(ImportException.class)
        .hasMessageContaining("storage entry synflow_conv/data/3 is missing");
  }

  @Test void viewReachingPastTheStorageIsRejected() throws IOException {
    // data.pkl of dtypes.pt with the 'column' view's offset 8 (BININT1 8) raised to 20: 20 + 2*6 > 24 elements
    Path p = Fixtures.editedZip(tmp, "dtypes.pt", m -> {
      byte[] pkl = m.get("dtypes/data.pkl");
      String s = new String(pkl, java.nio.charset.StandardCharsets.ISO_8859_1);
      int at = s.indexOf("column");
      int persid = s.indexOf('Q', at);
      assertThat(pkl[persid + 1]).isEqualTo((byte) 'K');
      assertThat(pkl[persid + 2]).isEqualTo((byte) 8);
      pkl[persid + 2] = 20;
      return m;
    });
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("is too short: it has 24 elements, but offset 20, size [3] and stride [6] reach "
            + "element 32");
  }

  @Test void corruptStorageFailsItsChecksum() throws IOException {
    Path src = Fixtures.path("synflow_conv.pt");
    byte[] all = Files.readAllBytes(src);
    byte[] weights = Fixtures.zipEntries(src).get("synflow_conv/data/0");
    int at = indexOf(all, weights);
    all[at + 5] ^= 1;
    Path p = Files.write(tmp.resolve("flipped.pt"), all);
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("zip entry synflow_conv/data/0 is corrupt (CRC-32 mismatch)");
  }

  @Test void forbiddenGlobal() {
    assertThatThrownBy(() -> TensorFiles.read(Fixtures.path("bad_evil.pt"))).isInstanceOf(ImportException.class)
        .hasMessageContaining("bad_evil.pt: forbidden global 'posix.system'");
  }

  @Test void unknownStorageType() {
    assertThatThrownBy(() -> TensorFiles.read(Fixtures.path("bad_complex.pt"))).isInstanceOf(ImportException.class)
        .hasMessageContaining("unknown storage type torch.ComplexFloatStorage");
  }

  @Test void nonFiniteWeights() {
    assertThatThrownBy(() -> TensorFiles.read(Fixtures.path("bad_nan.pt"))).isInstanceOf(ImportException.class)
        .hasMessageContaining("tensor 'w' has NaN at flat index 1");
    assertThatThrownBy(() -> TensorFiles.read(Fixtures.path("bad_inf.pt"))).isInstanceOf(ImportException.class)
        .hasMessageContaining("tensor 'w' has -Infinity at flat index 1");
  }

  @Test void fortranOrderIsReadInCOrder() throws IOException {
    // stored in Fortran order, the value at (i, j, k) of shape [2, 3, 4] is at i + 2 j + 6 k: store that offset
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(24 * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int offset = 0; offset < 24; offset++) bytes.putDouble(offset);
    String header = new String(Npy.encode(new int[] {2, 3, 4}, "<f8", bytes.array()),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    Path f = tmp.resolve("f.npy");
    Files.write(f, header.replace("'fortran_order': False", "'fortran_order': True ")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Tensor t = TensorFiles.readNpy(f).tensor();
    assertThat(t.shape()).containsExactly(2, 3, 4);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) assertThat(t.data()[i * 12 + j * 4 + k]).isEqualTo(i + 2 * j + 6 * k);
      }
    }
  }

  @Test void unsupportedNumpyArrays() throws IOException {
    Path complex = tmp.resolve("c8.npy");
    Npy.writeAtomically(complex, Npy.encode(new int[] {1}, "<c8", new byte[8]));
    assertThatThrownBy(() -> TensorFiles.read(complex))
        .isInstanceOf(ImportException.class).hasMessageContaining("unsupported dtype '<c8'")
        .hasMessageContaining("float32 ('<f4'), float64 ('<f8'), float16 ('<f2'), int64 ('<i8')")
        .hasMessageContaining("uint8 ('|u1')");
  }

  /** Every integer type and bool of NumPy and PyTorch is read exactly (torch uint8: ByteStorage). */
  @Test void integerTypesReadExactly() throws IOException {
    assertThat(TensorFiles.readNpy(Fixtures.path("bad_np_i32.npy")).tensor().data()).containsExactly(0, 1, 2, 3);
    assertThat(TensorFiles.readNpy(Fixtures.path("data_y_u8.npy")).dtype()).isEqualTo(DType.UINT8);
    StoredTensor u8 = TensorFiles.read(Fixtures.path("bad_uint8.pt")).tensors().get("x");
    assertThat(u8.dtype()).isEqualTo(DType.UINT8);
    assertThat(u8.tensor().data()).containsExactly(0, 0, 0);
    byte[] raw = {(byte) 0xff, (byte) 0x80, 1};
    for (String descr : new String[] {"|u1", "|i1", "|b1"}) {
      Path p = tmp.resolve("t" + descr.charAt(1) + ".npy");
      Npy.writeAtomically(p, Npy.encode(new int[] {3}, descr, raw));
      double[] want = switch (descr) {
        case "|u1" -> new double[] {255, 128, 1};
        case "|i1" -> new double[] {-1, -128, 1};
        default -> new double[] {1, 1, 1};
      };
      assertThat(TensorFiles.readNpy(p).tensor().data()).as(descr).containsExactly(want);
    }
    Path i2 = tmp.resolve("i2.npy");
    Npy.writeAtomically(i2, Npy.encode(new int[] {2}, ">i2", new byte[] {(byte) 0x80, 0, 0x01, 0x02}));
    assertThat(TensorFiles.readNpy(i2).tensor().data()).containsExactly(-32768, 258);
  }

  @Test void npyWithWrongDataLength() throws IOException {
    byte[] all = Files.readAllBytes(Fixtures.path("np_f64.npy"));
    Path p = Files.write(tmp.resolve("short.npy"), Arrays.copyOf(all, all.length - 8));
    assertThatThrownBy(() -> TensorFiles.read(p)).isInstanceOf(ImportException.class)
        .hasMessageContaining("data has 40 bytes, but shape [2, 3] of float64 needs 48");
  }

  @Test void onlyTheAllowedGlobalsAreResolvedAndTheRegistryIsUntouched() {
    // Pyrolite would map these to objects through its JVM-wide registry; the restricted reader refuses them.
    for (String global : new String[] {"builtins\neval", "datetime\ndatetime", "subprocess\nPopen", "torch\nTensor",
        "torch.nn.functional\nrelu", "__main__\nsystem", "mymodels\nbuild_net", "numpy.core.multiarray\n_frombuffer", "argparse\nArgumentParser",
        "__builtin__\nsetattr", "builtins\nSet"}) {
      byte[] pkl = ("\u0080\u0002c" + global + "\n)R.").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(pkl), pid -> null);
      assertThatThrownBy(u::loadOne).isInstanceOf(ImportException.class)
          .hasMessageContaining("forbidden global '" + global.replace('\n', '.') + "'");
    }
    // the globals of a quantized model are refused as soon as they are read, saying what the file is
    for (String global : new String[] {"torch._utils\n_rebuild_qtensor", "torch\nqint8",
        "torch.ao.nn.quantized.modules.linear\nLinear"}) {
      byte[] pkl = ("\u0080\u0002c" + global + "\n)R.").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(pkl), pid -> null);
      assertThatThrownBy(u::loadOne).isInstanceOf(ImportException.class)
          .hasMessageContaining("x.pkl: a quantized model (the pickle names " + global.replace('\n', '.') + ",");
    }
  }

  @Test void classesAreInertRecordsThatNothingCalls() {
    // a class of the model's code, of torch.nn or of a user module is a stub: REDUCE on it (calling it) is refused
    for (String global : new String[] {"__main__\nEvil", "torch.nn.modules.linear\nLinear", "mymodels.nets\nNet"}) {
      byte[] pkl = ("\u0080\u0002c" + global + "\n)R.").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(pkl), pid -> null);
      assertThatThrownBy(u::loadOne).isInstanceOf(ImportException.class)
          .hasMessageContaining("REDUCE on the class " + global.replace('\n', '.'));
    }
    // a model class named in lower case (archs.mnist.fc1.fc1) is a class too: NEWOBJ makes its record; called, it is
    // a function of the model's code, refused as a forbidden global (onlyTheAllowedGlobalsAreResolved...)
    byte[] lower = "\u0080\u0002carchs.mnist.fc1\nfc1\n)\u0081}b."
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Object made = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(lower), pid -> null).loadOne();
    assertThat(made).isInstanceOfSatisfying(RestrictedUnpickler.ObjectStub.class,
        o -> assertThat(o.type).isEqualTo(new RestrictedUnpickler.ClassStub("archs.mnist.fc1", "fc1")));
    // NEWOBJ with arguments, BUILD twice, BUILD with a list, NEWOBJ on a function, parameters without a tensor
    String[][] cases = {
        {"\u0080\u0002c__main__\nNet\nK\u0001\u0085\u0081.", "NEWOBJ of __main__.Net with arguments"},
        {"\u0080\u0002c__main__\nNet\n)\u0081}b}b.", "BUILD of __main__.Net twice"},
        {"\u0080\u0002c__main__\nNet\n)\u0081]b.", "BUILD of __main__.Net with a list of 0"},
        {"\u0080\u0002ccollections\nOrderedDict\n)\u0081.", "NEWOBJ on a Callable, which is not a class"},
        {"\u0080\u0002ctorch._utils\n_rebuild_parameter\nK\u0001\u0088}\u0087R.", "_rebuild_parameter needs"},
        {"\u0080\u0002c__builtin__\nset\n]]a\u0085R.", "is not a string or a number"}};
    for (String[] c : cases) {
      byte[] pkl = c[0].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(pkl), pid -> null);
      assertThatThrownBy(u::loadOne).as(c[1]).isInstanceOf(ImportException.class).hasMessageContaining(c[1]);
    }
  }

  @Test void selfContainingKeysAndSetsAreRejectedWithoutRecursion() {
    // a list appended to itself, then used as a dict key (hashing it would recurse without end)
    byte[] dictKey = {(byte) 0x80, 2, '}', ']', 'q', 1, 'h', 1, 'a', 'K', 1, 's', '.'};
    RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(dictKey), pid -> null);
    assertThatThrownBy(u::loadOne).isInstanceOf(ImportException.class)
        .hasMessageContaining("dict key a list of 1 is not a string or a number");
    // the same list added to a set (protocol 4's EMPTY_SET and ADDITEMS), and put in a frozenset
    byte[] set = {(byte) 0x80, 4, (byte) 0x8f, '(', ']', 'q', 1, 'h', 1, 'a', (byte) 0x90, '.'};
    RestrictedUnpickler v = new RestrictedUnpickler("y.pkl", new java.io.ByteArrayInputStream(set), pid -> null);
    assertThatThrownBy(v::loadOne).isInstanceOf(ImportException.class)
        .hasMessageContaining("a list of 1 is not a string or a number");
    byte[] frozen = {(byte) 0x80, 4, '(', ']', 'q', 1, 'h', 1, 'a', (byte) 0x91, '.'};
    RestrictedUnpickler w = new RestrictedUnpickler("z.pkl", new java.io.ByteArrayInputStream(frozen), pid -> null);
    assertThatThrownBy(w::loadOne).isInstanceOf(ImportException.class)
        .hasMessageContaining("a list of 1 is not a string or a number");
  }

  /** Protocol 4's set opcodes make the sets builtins.set makes: of strings and numbers, in order. */
  @Test void protocolFourSetsAreSetsOfStringsAndNumbers() throws Exception {
    byte[] set = {(byte) 0x80, 4, (byte) 0x8f, '(', 'K', 3, 'X', 1, 0, 0, 0, 'a', (byte) 0x90, '.'};
    Object s = new RestrictedUnpickler("s.pkl", new java.io.ByteArrayInputStream(set), pid -> null).loadOne();
    assertThat(s).isEqualTo(new java.util.LinkedHashSet<>(List.of(3, "a")));
    byte[] frozen = {(byte) 0x80, 4, '(', 'K', 7, (byte) 0x91, '.'};
    Object f = new RestrictedUnpickler("f.pkl", new java.io.ByteArrayInputStream(frozen), pid -> null).loadOne();
    assertThat(f).isEqualTo(java.util.Set.of(7));
    byte[] onList = {(byte) 0x80, 4, ']', '(', 'K', 3, (byte) 0x90, '.'};
    RestrictedUnpickler u = new RestrictedUnpickler("l.pkl", new java.io.ByteArrayInputStream(onList), pid -> null);
    assertThatThrownBy(u::loadOne).isInstanceOf(ImportException.class).hasMessageContaining("which is not a set");
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    throw new AssertionError("not found");
  }

  static Map<String, Tensor> values(TensorFile f) {
    Map<String, Tensor> m = new java.util.LinkedHashMap<>();
    f.tensors().forEach((k, v) -> m.put(k, v.tensor()));
    return m;
  }
}
