package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.limits.Budget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .safetensors} reader: every dtype it reads, recognised by content whatever the file name, and the
 * malformed files it refuses (truncated, offsets out of range or not covering the data, unknown dtype, a header
 * that is not an object of entries), always with an {@link ImportException} naming the file and the tensor.
 */
class SafetensorsTest {
  @TempDir Path tmp;

  /** A safetensors file: the header length, the header, the data. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static byte[] le(int bytesPerValue, long... values) {
    ByteBuffer b = ByteBuffer.allocate(bytesPerValue * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (bytesPerValue) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.write(p);
    return out.toByteArray();
  }

  TensorFile read(String name, byte[] bytes) throws IOException {
    return TensorFiles.read(Files.write(tmp.resolve(name), bytes));
  }

  @Test void everyDtypeIsReadExactlyInLittleEndianCOrder() throws IOException {
    byte[] f32 = le(4, Float.floatToIntBits(1.5f), Float.floatToIntBits(-0.1f), Float.floatToIntBits(3e-8f),
        Float.floatToIntBits(7f), Float.floatToIntBits(-2f), Float.floatToIntBits(0.25f));
    byte[] f64 = le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-1e300));
    byte[] f16 = le(2, 0x3c00, 0xc000, 0x0001); // 1, -2, the least subnormal 2^-24
    byte[] bf16 = le(2, Float.floatToIntBits(-3.5f) >>> 16, Float.floatToIntBits(0.15625f) >>> 16);
    byte[] i64 = le(8, -5, 1L << 40);
    byte[] i32 = le(4, -7, 9);
    byte[] u8 = le(1, 255, 3);
    byte[] bool = le(1, 1, 0);
    byte[][] parts = {f32, f64, f16, bf16, i64, i32, u8, bool};
    String[] types = {"F32", "F64", "F16", "BF16", "I64", "I32", "U8", "BOOL"};
    String[] shapes = {"[2, 3]", "[2]", "[3]", "[2]", "[2]", "[1, 2]", "[2]", "[2]"};
    StringBuilder h = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\"}");
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      h.append(", \"t").append(i).append("\": {\"dtype\": \"").append(types[i]).append("\", \"shape\": ")
          .append(shapes[i]).append(", \"data_offsets\": [").append(at).append(", ").append(at + parts[i].length)
          .append("]}");
      at += parts[i].length;
    }
    h.append("}   "); // padding, as writers align the data to 8 bytes
    TensorFile f = read("weights.bin", file(h.toString(), concat(parts))); // by content, not by name
    assertThat(f.names()).containsExactly("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7");
    assertThat(f.tensors().get("t0").tensor().shape()).containsExactly(2, 3);
    assertThat(f.tensor("t0").data()).containsExactly(1.5f, -0.1f, 3e-8f, 7f, -2f, 0.25f);
    assertThat(f.tensor("t1").data()).containsExactly(0.1, -1e300);
    assertThat(f.tensor("t2").data()).containsExactly(1, -2, 0x1p-24);
    assertThat(f.tensor("t3").data()).containsExactly(-3.5, 0.15625);
    assertThat(f.tensor("t4").data()).containsExactly(-5, 0x1p40);
    assertThat(f.tensor("t5").data()).containsExactly(-7, 9);
    assertThat(f.tensor("t6").data()).containsExactly(255, 3);
    assertThat(f.tensor("t7").data()).containsExactly(1, 0);
    assertThat(IntStream.range(0, types.length).mapToObj(i -> f.tensors().get("t" + i).dtype().label()))
        .containsExactly("float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool");
    assertThat(f.skipped()).containsExactly("__metadata__.format");
    // a scalar and an empty tensor
    TensorFile s = read("s.safetensors", file("{\"a\": {\"dtype\": \"F64\", \"shape\": [], \"data_offsets\": [0, 8]},"
        + " \"e\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [8, 8]}}", le(8,
        Double.doubleToLongBits(2.5))));
    assertThat(s.tensor("a").data()).containsExactly(2.5);
    assertThat(s.tensor("e").shape()).containsExactly(0, 4);
  }

  @Test void malformedFilesAreRefusedNamingTheFileAndTensor() throws IOException {
    String ok = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}}";
    byte[] good = file(ok, new byte[16]);
    assertThat(read("good.safetensors", good).tensor("w").shape()).containsExactly(2, 2);
    String[][] cases = {
        // truncated: the data, the header, the length
        {"trunc.safetensors", "tensor 'w': data_offsets [0, 16] are out of range: the data after the header has 10 "
            + "bytes (file truncated?)"},
        {"trunc_header.safetensors", "safetensors header announces " + (good.length - 24) + " bytes, but only 20 "
            + "follow the length (file truncated?)"},
        {"short.safetensors", "truncated safetensors file (5 bytes, less than the 8-byte header length)"},
        {"dtype.safetensors", "tensor 'w': unsupported dtype \"F8_E4M3\" (supported: F64 (float64), F32 (float32)"},
        {"bytes.safetensors", "tensor 'w': data_offsets [0, 12] hold 12 bytes, but shape [2, 2] of float32 needs 16"},
        {"gap.safetensors", "tensor 'w': data_offsets [4, 20] leave bytes 0 to 4 of the data unused"},
        {"overlap.safetensors", "tensor 'v': data_offsets [8, 24] overlap the tensor before it (which ends at 16)"},
        {"extra.safetensors", "the tensors cover 16 bytes of data, but 20 follow the header"},
        {"keys.safetensors", "tensor 'w': expected the keys dtype, shape and data_offsets, got dtype, shape"},
        {"neg.safetensors", "tensor 'w': shape[0]: expected an integer in [0, 2147483647], got -2"},
        {"json.safetensors", "safetensors header: not strict JSON"},
        {"dup.safetensors", "safetensors header: duplicate key \"w\""},
        {"meta.safetensors", "safetensors __metadata__ must be an object of strings"},
        {"array.safetensors", "safetensors header is not a JSON object"},
        {"huge.safetensors", "safetensors header length 1000000000 is not in [2, 100000000]"},
    };
    byte[][] files = {
        Arrays.copyOf(good, good.length - 6),
        Arrays.copyOf(good, 28),
        Arrays.copyOf(good, 5),
        file(ok.replace("F32", "F8_E4M3"), new byte[16]),
        file(ok.replace("16]", "12]"), new byte[12]),
        file(ok.replace("[0, 16]", "[4, 20]"), new byte[20]),
        file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}, \"v\": {\"dtype\": \"F32\", "
            + "\"shape\": [4], \"data_offsets\": [8, 24]}}", new byte[24]),
        file(ok, new byte[20]),
        file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4]}}", new byte[16]),
        file(ok.replace("[2, 2]", "[-2, 2]"), new byte[16]),
        file("{\"w\": {'dtype': 1}}", new byte[0]),
        file("{\"w\": {}, \"w\": {}}", new byte[0]),
        file("{\"__metadata__\": {\"epoch\": 3}}", new byte[0]),
        file("[1, 2]", new byte[0]),
        concat(le(8, 1_000_000_000L), "{".getBytes(StandardCharsets.US_ASCII)),
    };
    for (int i = 0; i < cases.length; i++) {
      Path p = Files.write(tmp.resolve(cases[i][0]), files[i]);
      String name = cases[i][0];
      assertThatThrownBy(() -> TensorFiles.read(p)).as(name).isInstanceOf(ImportException.class)
          .hasMessageStartingWith(p + ": ").hasMessageContaining(cases[i][1]);
    }
  }

  /** As a data file: its one tensor, or the one named by FILE:NAME of several. */
  @Test void aDataFileMayBeASafetensorsFile() throws IOException {
    byte[] x = le(4, Float.floatToIntBits(0.5f), Float.floatToIntBits(-1f));
    Path one = Files.write(tmp.resolve("x.safetensors"), file("{\"x\": {\"dtype\": \"F32\", \"shape\": [2, 1], "
        + "\"data_offsets\": [0, 8]}}", x));
    assertThat(TensorFiles.readSingle(one).tensor().data()).containsExactly(0.5, -1);
    Path two = Files.write(tmp.resolve("xy.safetensors"), file("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], "
        + "\"data_offsets\": [0, 8]}, \"y\": {\"dtype\": \"I64\", \"shape\": [2], \"data_offsets\": [8, 24]}}",
        concat(x, le(8, 3, 1))));
    assertThat(TensorFiles.readSingle(Path.of(two + ":y")).tensor().data()).containsExactly(3, 1);
    assertThatThrownBy(() -> TensorFiles.readSingle(two)).isInstanceOf(ImportException.class)
        .hasMessageContaining("holds 2 tensors (x [2] float32, y [2] int64): pick one as " + two + ":NAME");
  }

  @Test void theDecodedValuesAreClaimedFromTheBudget() {
    byte[] f = file("{\"w\": {\"dtype\": \"F16\", \"shape\": [64], \"data_offsets\": [0, 128]}}", new byte[128]);
    // 64 float16 values are held as 512 bytes of float64: a budget of 256 bytes refuses them
    assertThatThrownBy(() -> Safetensors.read("m.safetensors", f, new Budget("m.safetensors", 256,
        ImportException::new))).isInstanceOf(ImportException.class).hasMessageContaining("m.safetensors")
        .hasMessageContaining("tensor w (shape [64], held as float64)");
  }
}
