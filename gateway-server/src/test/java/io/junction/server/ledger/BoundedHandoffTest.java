package io.junction.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BoundedHandoffTest {
    @Test
    void holdsExactlyItsCapacityInOrderAndFreesASlotPerPoll() {
        // 10 is not a power of two: the underlying queue would take 16
        BoundedHandoff<Integer> h = new BoundedHandoff<>(10);
        for (int i = 0; i < 10; i++) {
            assertThat(h.offer(i)).isTrue();
        }
        assertThat(h.offer(10)).isFalse();
        assertThat(h.size()).isEqualTo(10);
        assertThat(h.poll()).isZero();
        assertThat(h.offer(10)).isTrue();
        assertThat(h.offer(11)).isFalse();
        List<Integer> rest = new ArrayList<>();
        Integer x;
        while ((x = h.poll()) != null) {
            rest.add(x);
        }
        assertThat(rest).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(h.isEmpty()).isTrue();
        assertThatThrownBy(() -> new BoundedHandoff<>(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void producersRacingForTheLastSlotsGetExactlyTheCapacity() throws Exception {
        // no consumer: 1,000 offers accepted in all, whatever the interleaving (the underlying queue
        // would hold 1,024); size() may pass the capacity for an instant while a refused offer backs out
        BoundedHandoff<Integer> h = new BoundedHandoff<>(1000);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 2_000; i++) {
                        if (h.offer(i)) {
                            accepted.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(accepted.get()).isEqualTo(1000);
        assertThat(h.size()).isEqualTo(1000);
        int taken = 0;
        while (h.poll() != null) {
            taken++;
        }
        assertThat(taken).isEqualTo(1000);
    }

    @Test
    void concurrentProducersAndAConsumerLoseNothingThatWasAccepted() throws Exception {
        int producers = 4;
        int perProducer = 20_000;
        BoundedHandoff<Integer> h = new BoundedHandoff<>(1000);
        AtomicInteger accepted = new AtomicInteger();
        BitSet acceptedIds = new BitSet(producers * perProducer);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(producers);
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perProducer; i++) {
                        if (h.offer(base + i)) {
                            accepted.incrementAndGet();
                            synchronized (acceptedIds) {
                                acceptedIds.set(base + i);
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        BitSet polled = new BitSet(producers * perProducer);
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((done.getCount() > 0 || !h.isEmpty()) && System.nanoTime() < deadline) {
            Integer x = h.poll();
            if (x != null) {
                assertThat(polled.get(x)).as("taken twice: " + x).isFalse();
                polled.set(x);
            }
        }
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(polled.cardinality()).isEqualTo(accepted.get());
        synchronized (acceptedIds) {
            assertThat(polled).isEqualTo(acceptedIds);
        }
    }
}
