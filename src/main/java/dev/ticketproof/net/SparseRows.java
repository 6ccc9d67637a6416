package dev.ticketproof.net;

import java.util.Arrays;

/** Compressed sparse rows shared by the sparse layers: building and validating. */
record SparseRows(int[] rowStart, int[] column, double[] values) {

  static void check(String what, int rows, int cols, int[] rowStart, int[] column, double[] values) {
    if (rowStart.length != rows + 1 || column.length != values.length || rowStart[0] != 0
        || rowStart[rows] != values.length) {
      throw new IllegalArgumentException(what + ": need rowStart of length " + (rows + 1) + " from 0 to "
          + values.length + " and column of length " + values.length + ", got rowStart length " + rowStart.length
          + ", column length " + column.length);
    }
    for (int r = 0; r < rows; r++) {
      if (rowStart[r + 1] < rowStart[r]) {
        throw new IllegalArgumentException(what + ": rowStart must be non-decreasing, row " + r + ": "
            + rowStart[r] + " > " + rowStart[r + 1]);
      }
      for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
        int c = column[k];
        if (c < 0 || c >= cols || (k > rowStart[r] && c <= column[k - 1])) {
          throw new IllegalArgumentException(what + ": columns of row " + r + " must be strictly increasing in [0, "
              + cols + "), got " + c + " at position " + k);
        }
      }
    }
  }

  /** Sorts flat indices (row * cols + col) and splits them into rows; O(kept log kept) time, O(rows + kept) memory. */
  static SparseRows fromFlat(String what, int rows, long cols, long[] indices, double[] values) {
    if (indices.length != values.length) {
      throw new IllegalArgumentException(what + ": " + indices.length + " indices but " + values.length + " values");
    }
    if (rows < 1 || cols < 1 || cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + ": need 1 <= rows and 1 <= columns <= 2^31-1, got rows=" + rows
          + ", columns=" + cols);
    }
    long size = rows * cols;
    int n = indices.length;
    Integer[] order = new Integer[n];
    for (int t = 0; t < n; t++) {
      if (indices[t] < 0 || indices[t] >= size) {
        throw new IllegalArgumentException(what + ": index " + indices[t] + " at position " + t + " is outside [0, "
            + size + ")");
      }
      order[t] = t;
    }
    boolean sorted = true;
    for (int t = 1; t < n && sorted; t++) sorted = indices[t] > indices[t - 1];
    if (!sorted) Arrays.sort(order, (a, b) -> Long.compare(indices[a], indices[b]));
    int[] rowStart = new int[rows + 1];
    int[] column = new int[n];
    double[] vals = new double[n];
    for (int t = 0; t < n; t++) {
      long idx = indices[order[t]];
      if (t > 0 && idx == indices[order[t - 1]]) {
        throw new IllegalArgumentException(what + ": duplicate index " + idx);
      }
      int r = (int) (idx / cols);
      column[t] = (int) (idx % cols);
      vals[t] = values[order[t]];
      rowStart[r + 1]++;
    }
    for (int r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
    return new SparseRows(rowStart, column, vals);
  }

  static SparseRows fromMask(String what, int rows, int cols, double[] dense, boolean[] keep) {
    if (keep.length != dense.length) {
      throw new IllegalArgumentException(what + ": mask has " + keep.length + " entries, the weight has "
          + dense.length);
    }
    int n = 0;
    for (boolean k : keep) if (k) n++;
    int[] rowStart = new int[rows + 1];
    int[] column = new int[n];
    double[] vals = new double[n];
    int t = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int idx = r * cols + c;
        if (keep[idx]) {
          column[t] = c;
          vals[t++] = dense[idx];
        }
      }
      rowStart[r + 1] = t;
    }
    return new SparseRows(rowStart, column, vals);
  }
}
