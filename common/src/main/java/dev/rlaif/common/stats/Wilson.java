package dev.rlaif.common.stats;

/** The 95% Wilson score interval of a proportion: the one the judge-quality, annotator and benchmark figures use. */
public final class Wilson {

    private static final double Z = 1.96;

    private Wilson() {
    }

    /** Interval of a proportion {@code p} observed over {@code n} trials; [0, 1] when nothing was observed. */
    public static double[] interval(double p, long n) {
        if (n <= 0 || Double.isNaN(p)) {
            return new double[] {0, 1};
        }
        double d = 1 + Z * Z / n;
        double c = (p + Z * Z / (2.0 * n)) / d;
        double h = Z * Math.sqrt(p * (1 - p) / n + Z * Z / (4.0 * n * n)) / d;
        return new double[] {Math.max(0, c - h), Math.min(1, c + h)};
    }

    /** Interval of {@code k} successes in {@code n} trials. */
    public static double[] of(long k, long n) {
        return interval(n <= 0 ? Double.NaN : k / (double) n, n);
    }
}
