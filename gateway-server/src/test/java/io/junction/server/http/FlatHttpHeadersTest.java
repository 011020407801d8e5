package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHttpHeaders} against Netty's {@code DefaultHttpHeaders}: the same random sequences of
 * changes applied to both must leave them answering every lookup alike, and both must refuse the
 * same bad names and values.
 */
class FlatHttpHeadersTest {
    private static final CharSequence[] NAMES = {
        "content-type",
        "Content-Type",
        HttpHeaderNames.CONTENT_LENGTH,
        "x-request-id",
        "X-REQUEST-ID",
        "transfer-encoding",
        "accept",
        "x-a",
        "x-b",
        "x-c",
        "x-d",
        "x-e",
        "x-f",
        "x-g",
        "x-h",
        "x-i"
    };
    private static final Object[] VALUES = {
        "application/json",
        new AsciiString("chunked"),
        "gzip, Chunked",
        " chunked ", // refused by both: a value may not start with whitespace
        "chunked , gzip",
        "gzip,chunked,",
        "a,,chunked",
        "x, ",
        "42",
        "-7",
        "x42",
        "",
        12345,
        new Date(1_700_000_000_000L),
        "Tue, 14 Nov 2023 22:13:20 GMT",
        "é"
    };

    private static void sameAnswers(HttpHeaders flat, HttpHeaders netty, String step) {
        assertThat(flat.size()).as(step).isEqualTo(netty.size());
        assertThat(flat.isEmpty()).as(step).isEqualTo(netty.isEmpty());
        assertThat(pairs(flat.iteratorCharSequence())).as(step).isEqualTo(pairs(netty.iteratorCharSequence()));
        assertThat(flat.entries().toString()).as(step).isEqualTo(netty.entries().toString());
        // Netty's set can hold a String and an AsciiString of the same name, shown twice; as Strings, the same
        assertThat(flat.names()).as(step).containsExactlyElementsOf(new java.util.LinkedHashSet<>(netty.names()));
        for (CharSequence n : NAMES) {
            String s = n.toString();
            assertThat(flat.get(n)).as(step + " get " + n).isEqualTo(netty.get(n));
            assertThat(flat.get(s)).as(step).isEqualTo(netty.get(s));
            assertThat(flat.getAll(n)).as(step).isEqualTo(netty.getAll(n));
            assertThat(flat.contains(n)).as(step).isEqualTo(netty.contains(n));
            assertThat(flat.getInt(n)).as(step + " getInt " + n).isEqualTo(netty.getInt(n));
            assertThat(flat.getInt(n, -1)).as(step).isEqualTo(netty.getInt(n, -1));
            assertThat(flat.getShort(n)).as(step).isEqualTo(netty.getShort(n));
            // Netty's value iterator runs newest first, this one in insertion order (as getAll does)
            assertThat(toList(flat.valueStringIterator(n)))
                    .as(step)
                    .containsExactlyInAnyOrderElementsOf(toList(netty.valueStringIterator(n)))
                    .isEqualTo(flat.getAll(n));
            for (String v : List.of("chunked", "CHUNKED", "application/json", "gzip", "42", "", "x", "a")) {
                for (boolean ic : new boolean[] {true, false}) {
                    assertThat(flat.contains(s, v, ic))
                            .as(step + " contains " + n + " " + v)
                            .isEqualTo(netty.contains(s, v, ic));
                    assertThat(flat.containsValue(n, v, ic))
                            .as(step + " containsValue " + n + " " + v)
                            .isEqualTo(netty.containsValue(n, v, ic));
                }
            }
        }
    }

    /** The class of what {@code change} threw (null if nothing): both must refuse the same changes. */
    private static String failure(Consumer<HttpHeaders> change, HttpHeaders h) {
        try {
            change.accept(h);
            return null;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static List<String> pairs(Iterator<Map.Entry<CharSequence, CharSequence>> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }

    private static List<String> toList(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void randomChangesLeaveBothAnsweringAlike() {
        for (long seed = 1; seed <= 120; seed++) {
            Random rnd = new Random(seed);
            HttpHeaders flat = FlatHttpHeaders.headersFactory().newHeaders();
            HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
            int steps = 5 + rnd.nextInt(40);
            for (int s = 0; s < steps; s++) {
                CharSequence name = NAMES[rnd.nextInt(NAMES.length)];
                Object value = VALUES[rnd.nextInt(VALUES.length)];
                int op = rnd.nextInt(10);
                String step = "seed " + seed + " step " + s + " op " + op + " " + name + "=" + value;
                Consumer<HttpHeaders> change =
                        switch (op) {
                            case 0, 1, 2 -> h -> h.add(name, value);
                            case 3, 4 -> h -> h.set(name, value);
                            case 5 -> h -> h.remove(name);
                            case 6 -> h -> h.add(name.toString(), List.of(value, "second"));
                            case 7 -> h -> h.set(name.toString(), List.of("a", value));
                            case 8 -> h -> h.setInt(name, rnd.nextInt(1000));
                            default ->
                                h -> {
                                    if (rnd.nextInt(8) == 0) {
                                        h.clear();
                                    } else {
                                        h.addShort(name, (short) 7);
                                    }
                                };
                        };
                long state = rnd.nextLong(); // the same random draws inside the change for both
                rnd.setSeed(state);
                String flatFailure = failure(change, flat);
                rnd.setSeed(state);
                String nettyFailure = failure(change, netty);
                assertThat(flatFailure).as(step).isEqualTo(nettyFailure);
                sameAnswers(flat, netty, step);
            }
            sameAnswers(flat.copy(), netty.copy(), "copy of seed " + seed);
            HttpHeaders into = new FlatHttpHeaders().add("x-z", "1");
            into.set(netty);
            sameAnswers(into, netty, "set(HttpHeaders) of seed " + seed);
        }
    }

    @Test
    void refusesWhatNettyRefuses() {
        List<Object[]> bad = List.of(
                new Object[] {"bad name", "v"},
                new Object[] {"bad:name", "v"},
                new Object[] {"", "v"},
                new Object[] {"x-ok", "line\r\nx-injected: 1"},
                new Object[] {"x-ok", "nul\0"});
        for (Object[] b : bad) {
            String name = (String) b[0];
            Object value = b[1];
            for (HttpHeadersFactory f :
                    List.of(FlatHttpHeaders.headersFactory(), DefaultHttpHeadersFactory.headersFactory())) {
                assertThatThrownBy(() -> f.newHeaders().add(name, value))
                        .as(f + " add " + name)
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> f.newHeaders().set(name, value))
                        .as(f + " set " + name)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
        HttpHeaders h = new FlatHttpHeaders().add("x-keep", "1");
        assertThatThrownBy(() -> h.set("x-keep", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.get("x-keep")).as("a refused set leaves the old value").isEqualTo("1");
        assertThatThrownBy(() -> h.add("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> h.get((String) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void trailersRefuseTheFramingHeadersAsNettysDo() {
        for (String name : List.of("content-length", "Transfer-Encoding", "trailer")) {
            assertThatThrownBy(
                            () -> FlatHttpHeaders.trailersFactory().newHeaders().add(name, "1"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> DefaultHttpHeadersFactory.trailersFactory()
                            .newHeaders()
                            .add(name, "1"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        HttpHeaders t = FlatHttpHeaders.trailersFactory().newHeaders().add("x-checksum", "abc");
        assertThat(t.copy().get("x-checksum")).isEqualTo("abc");
        assertThatThrownBy(() -> t.copy().add("content-length", "1"))
                .as("a copy of trailers is trailers")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void datesAreWrittenAndReadAsHttpDates() {
        HttpHeaders h = new FlatHttpHeaders().add("date", new Date(1_700_000_000_000L));
        assertThat(h.get("Date")).isEqualTo("Tue, 14 Nov 2023 22:13:20 GMT");
        assertThat(h.getTimeMillis("date")).isEqualTo(1_700_000_000_000L);
        h.set("date", "not a date");
        assertThat(h.getTimeMillis("date")).isNull();
        assertThat(h.getTimeMillis("date", 5L)).isEqualTo(5L);
        assertThat(h.getTimeMillis("missing")).isNull();
    }

    @Test
    void theEncodersIteratorReusesOneReadOnlyEntry() {
        HttpHeaders h = new FlatHttpHeaders().add("a", "1").add("b", "2");
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        Map.Entry<CharSequence, CharSequence> first = it.next();
        assertThat(first.getKey().toString() + "=" + first.getValue()).isEqualTo("a=1");
        assertThat(it.next()).as("the same object, now the second header").isSameAs(first);
        assertThat(first.getKey().toString() + "=" + first.getValue()).isEqualTo("b=2");
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(() -> first.setValue("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void growsPastItsFirstArrayAndKeepsOrder() {
        HttpHeaders h = new FlatHttpHeaders(3);
        for (int i = 0; i < 40; i++) {
            h.add("x-" + i, Integer.toString(i));
        }
        assertThat(h.size()).isEqualTo(40);
        assertThat(h.get("X-39")).isEqualTo("39");
        h.remove("x-0");
        assertThat(h.iteratorCharSequence().next().getKey().toString()).isEqualTo("x-1");
        assertThat(h.toString()).contains("x-1: 1").doesNotContain("x-0:");
    }

    @Test
    void numbersAreWrittenAsTheirDigits() {
        long[] values = {
            0,
            7,
            9,
            10,
            99,
            100,
            12_345,
            -1,
            -10,
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1
        };
        Random random = new Random(7);
        for (long v : values) {
            assertThat(FlatHttpHeaders.digits(v).toString()).isEqualTo(Long.toString(v));
        }
        for (int i = 0; i < 1000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            assertThat(FlatHttpHeaders.digits(v).toString()).isEqualTo(Long.toString(v));
        }
        HttpHeaders h =
                new FlatHttpHeaders().set(HttpHeaderNames.CONTENT_LENGTH, 1234L).add("x-n", 56);
        assertThat(h.get("content-length")).isEqualTo("1234");
        assertThat(h.getInt("x-n")).isEqualTo(56);
    }

    @Test
    void aNameSetTwiceIsKeptAsOneCachedAsciiString() {
        FlatHttpHeaders.forgetKnownNames(); // room, whatever the other tests set
        String name = "x-junction-test";
        HttpHeaders a = new FlatHttpHeaders().set(name, "1");
        HttpHeaders b = new FlatHttpHeaders().set(name, "2");
        CharSequence first = a.iteratorCharSequence().next().getKey();
        assertThat(first).isInstanceOf(AsciiString.class).hasToString(name);
        assertThat(b.iteratorCharSequence().next().getKey())
                .as("the cached name")
                .isSameAs(first);
        assertThat(b.get(name.toUpperCase(java.util.Locale.ROOT))).isEqualTo("2");
        // a name the headers' rules allow is still refused in trailers, cached or not
        new FlatHttpHeaders().set("content-length", "1");
        assertThatThrownBy(() -> FlatHttpHeaders.trailersFactory().newHeaders().set("content-length", "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theNameCacheStopsGrowingAndBadNamesAreStillRefused() {
        FlatHttpHeaders.forgetKnownNames();
        try {
            for (int i = 0; i < FlatHttpHeaders.MAX_KNOWN_NAMES + 50; i++) {
                new FlatHttpHeaders().set("x-fill-" + i, "v");
            }
            assertThat(FlatHttpHeaders.knownNames()).isEqualTo(FlatHttpHeaders.MAX_KNOWN_NAMES);
            HttpHeaders h = new FlatHttpHeaders().set("x-past-the-bound", "v");
            assertThat(h.get("X-Past-The-Bound")).isEqualTo("v");
            assertThat(h.iteratorCharSequence().next().getKey())
                    .as("not cached")
                    .isInstanceOf(String.class);
            assertThat(FlatHttpHeaders.knownNames()).isEqualTo(FlatHttpHeaders.MAX_KNOWN_NAMES);
        } finally {
            FlatHttpHeaders.forgetKnownNames();
        }
        assertThatThrownBy(() -> new FlatHttpHeaders().set("bad name", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlatHttpHeaders().add("x-decoded", "v").set("bad:name", "v"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEncoderWritesTheSameBytesAsForNettysHeaders() {
        Consumer<HttpHeaders> fill = h -> h.set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM)
                .set("x-request-id", "req-42")
                .set("X-Junction-Provider", "openai")
                .set(HttpHeaderNames.CONTENT_LENGTH, 1234L)
                .add("x-n", 56)
                .set("x-junction-attempts", "1");
        HttpHeaders flat = new FlatHttpHeaders();
        HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        fill.accept(flat);
        fill.accept(netty);
        assertThat(encoded(flat)).isEqualTo(encoded(netty)).contains("X-Junction-Provider: openai\r\n");
    }

    private static String encoded(HttpHeaders headers) {
        var ch = new io.netty.channel.embedded.EmbeddedChannel(new io.netty.handler.codec.http.HttpResponseEncoder());
        try {
            ch.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.OK,
                    io.netty.buffer.Unpooled.EMPTY_BUFFER,
                    headers,
                    io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
            StringBuilder out = new StringBuilder();
            for (Object m; (m = ch.readOutbound()) != null; ) {
                io.netty.buffer.ByteBuf b = (io.netty.buffer.ByteBuf) m;
                out.append(b.toString(java.nio.charset.StandardCharsets.US_ASCII));
                b.release();
            }
            return out.toString();
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
