package io.coalesce.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The scenarios' results, printed as a Markdown table (readable as is, pasteable into docs). */
final class Table {

  record Row(String scenario, String stack, long calls, long loaderCalls, int errors,
      double p50, double p99, double max, double throughput, String note) {}

  private static final String[] HEADER = {"scenario", "stack", "calls", "loader calls", "caller errors",
      "p50 ms", "p99 ms", "max ms", "calls/s", "note"};

  private final List<Row> rows = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
    System.out.println("  " + format(row)[0] + " / " + row.stack() + ": loader calls " + row.loaderCalls()
        + ", errors " + row.errors() + ", p99 " + fmt(row.p99()) + " ms, max " + fmt(row.max()) + " ms"
        + (row.note().isEmpty() ? "" : " (" + row.note() + ")"));
  }

  void print(PrintStream out) {
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADER);
    rows.forEach(r -> cells.add(format(r)));
    int[] widths = new int[HEADER.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    for (int l = 0; l < cells.size(); l++) {
      out.println(line(cells.get(l), widths));
      if (l == 0) {
        String[] rule = new String[widths.length];
        for (int i = 0; i < widths.length; i++) {
          rule[i] = "-".repeat(widths[i]);
        }
        out.println(line(rule, widths));
      }
    }
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder s = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      s.append(' ').append(String.format("%-" + widths[i] + "s", cells[i])).append(" |");
    }
    return s.toString();
  }

  private static String[] format(Row r) {
    return new String[] {r.scenario(), r.stack(), count(r.calls()), count(r.loaderCalls()),
        count(r.errors()), fmt(r.p50()), fmt(r.p99()), fmt(r.max()),
        Double.isNaN(r.throughput()) ? "" : String.format(Locale.ROOT, "%.0f", r.throughput()), r.note()};
  }

  /** A negative count is "not measured": an empty cell. */
  private static String count(long n) {
    return n < 0 ? "" : Long.toString(n);
  }

  static String fmt(double millis) {
    if (Double.isNaN(millis)) {
      return "";
    }
    return String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.1f", millis);
  }
}
