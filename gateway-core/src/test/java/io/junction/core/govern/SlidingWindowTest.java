package io.junction.core.govern;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private static final long MIN = SlidingWindow.WINDOW_MS;
    private static final long T0 = 1_000 * MIN; // a bucket boundary

    @Test
    void countsWithinOneBucketExactly() {
        SlidingWindow w = new SlidingWindow();
        for (int i = 0; i < 5; i++) {
            assertThat(w.fits(T0 + i, 1, 5)).isTrue();
            w.add(T0 + i, 1);
        }
        assertThat(w.fits(T0 + 10, 1, 5)).isFalse();
        assertThat(w.remaining(T0 + 10, 5)).isZero();
    }

    @Test
    void previousBucketSlidesOutLinearly() {
        SlidingWindow w = new SlidingWindow();
        w.add(T0, 60);
        // a quarter into the next bucket, three quarters of the previous one still count
        assertThat(w.estimate(T0 + MIN + MIN / 4)).isEqualTo(45.0);
        assertThat(w.fits(T0 + MIN + MIN / 4, 16, 60)).isFalse();
        assertThat(w.fits(T0 + MIN + MIN / 4, 15, 60)).isTrue();
    }

    @Test
    void twoIdleBucketsForgetEverything() {
        SlidingWindow w = new SlidingWindow();
        w.add(T0, 60);
        assertThat(w.estimate(T0 + 2 * MIN)).isZero();
        assertThat(w.resetMs(T0 + 2 * MIN)).isZero();
    }

    @Test
    void retryAfterIsWhenTheCallFits() {
        SlidingWindow w = new SlidingWindow();
        w.add(T0, 60);
        long now = T0 + MIN; // previous = 60, current = 0
        long wait = w.retryAfterMs(now, 1, 60);
        assertThat(wait).isPositive();
        assertThat(w.fits(now + wait - 2, 1, 60)).isFalse();
        assertThat(w.fits(now + wait, 1, 60)).isTrue();
        assertThat(w.retryAfterMs(now, 61, 60)).isEqualTo(-1);
    }

    @Test
    void retryAfterWhenTheCurrentBucketIsFullWaitsIntoTheNextOne() {
        SlidingWindow w = new SlidingWindow();
        w.add(T0 + 1000, 10);
        long now = T0 + 2000;
        long wait = w.retryAfterMs(now, 1, 10);
        assertThat(now + wait).isGreaterThan(T0 + MIN);
        assertThat(w.fits(now + wait, 1, 10)).isTrue();
        assertThat(w.fits(now + wait - 2, 1, 10)).isFalse();
    }

    @Test
    void correctionsLandInTheBucketThatCountedAndNeverGoNegative() {
        SlidingWindow w = new SlidingWindow();
        w.add(T0 + 5, 100);
        w.correct(T0 + MIN + 5, T0 + 5, -40); // counted in what is now the previous bucket
        assertThat(w.estimate(T0 + MIN)).isEqualTo(60.0);
        w.correct(T0 + MIN, T0 + MIN, -500);
        assertThat(w.estimate(T0 + MIN)).isEqualTo(60.0);
        w.correct(T0 + 3 * MIN, T0 + 5, 1000); // too old: dropped
        assertThat(w.estimate(T0 + 3 * MIN)).isZero();
    }
}
