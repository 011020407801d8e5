package io.junction.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseDecoderTest {

    /** One dispatched event; {@code event} null when the stream gave no event field. */
    record Ev(String event, String data) {
        static Ev data(String data) {
            return new Ev(null, data);
        }
    }

    private static List<Ev> decode(byte[] input, List<Integer> cuts) {
        SseDecoder decoder = new SseDecoder();
        List<Ev> out = new ArrayList<>();
        SseDecoder.Listener listener =
                (event, data) -> out.add(new Ev(event, new String(data, StandardCharsets.UTF_8)));
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(input.length);
        for (int to : ends) {
            ByteBuf buf = Unpooled.wrappedBuffer(input, from, to - from);
            try {
                decoder.decode(buf, listener);
                assertThat(buf.readableBytes()).as("decode consumes its input").isZero();
            } finally {
                buf.release();
            }
            from = to;
        }
        decoder.finish(listener);
        return out;
    }

    private static List<Ev> whole(String input) {
        return decode(input.getBytes(StandardCharsets.UTF_8), List.of());
    }

    private static List<Ev> byteByByte(byte[] input) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < input.length; i++) {
            cuts.add(i);
        }
        return decode(input, cuts);
    }

    private static List<Ev> randomSplits(byte[] input, long seed) {
        Random rnd = new Random(seed);
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (true) {
            at += 1 + rnd.nextInt(12);
            if (at >= input.length) {
                break;
            }
            cuts.add(at);
        }
        return decode(input, cuts);
    }

    @Test
    void lfTerminatedEvents() {
        assertThat(whole("data: a\n\ndata: b\n\n")).containsExactly(Ev.data("a"), Ev.data("b"));
    }

    @Test
    void crlfTerminatedEvents() {
        assertThat(whole("data: a\r\n\r\ndata: b\r\n\r\n")).containsExactly(Ev.data("a"), Ev.data("b"));
    }

    @Test
    void crOnlyTerminatedEvents() {
        assertThat(whole("data: a\r\rdata: b\r\r")).containsExactly(Ev.data("a"), Ev.data("b"));
    }

    @Test
    void mixedLineEndsInOneStream() {
        assertThat(whole("data: a\r\n\ndata: b\n\r\ndata: c\r\r\n"))
                .containsExactly(Ev.data("a"), Ev.data("b"), Ev.data("c"));
    }

    @Test
    void severalDataLinesJoinWithLf() {
        assertThat(whole("data: first\ndata: second\r\ndata: third\r\n"))
                .containsExactly(Ev.data("first\nsecond\nthird"));
    }

    @Test
    void commentsAreIgnored() {
        assertThat(whole(": keep-alive\n\n:\n\n: x\ndata: a\n: between\ndata: b\n\n"))
                .containsExactly(Ev.data("a\nb"));
    }

    @Test
    void theEventFieldNamesTheEventAndIsResetAfterDispatch() {
        assertThat(whole("event: error\ndata: {\"x\":1}\n\ndata: plain\n\n"))
                .containsExactly(new Ev("error", "{\"x\":1}"), Ev.data("plain"));
    }

    @Test
    void anEventFieldWithoutDataIsNotDispatchedAndDoesNotLeakIntoTheNextEvent() {
        assertThat(whole("event: ping\n\ndata: x\n\n")).containsExactly(Ev.data("x"));
    }

    @Test
    void theLastEventFieldBeforeDispatchWins() {
        assertThat(whole("event: a\nevent: b\ndata: x\n\n")).containsExactly(new Ev("b", "x"));
    }

    @Test
    void onlyOneSpaceAfterTheColonIsStripped() {
        assertThat(whole("data:x\n\ndata:  y\n\ndata:\tz\n\n"))
                .containsExactly(Ev.data("x"), Ev.data(" y"), Ev.data("\tz"));
    }

    @Test
    void aDataLineWithoutColonOrValueGivesAnEmptyPayload() {
        // WHATWG: the field "data" with an empty value appends "" to the buffer; the event is dispatched
        assertThat(whole("data\n\ndata:\n\n")).containsExactly(Ev.data(""), Ev.data(""));
    }

    @Test
    void aValueMayContainColons() {
        assertThat(whole("data: {\"a\":\"b:c\"}\n\n")).containsExactly(Ev.data("{\"a\":\"b:c\"}"));
    }

    @Test
    void idRetryAndUnknownFieldsAreIgnored() {
        assertThat(whole("id: 7\nretry: 1000\nfoo: bar\ndata: x\n\n")).containsExactly(Ev.data("x"));
    }

    @Test
    void blankLinesAloneDispatchNothing() {
        assertThat(whole("\n\n\r\n\r\r\n")).isEmpty();
        assertThat(whole("")).isEmpty();
    }

    @Test
    void finishDispatchesATrailingEventWithoutItsBlankLine() {
        assertThat(whole("data: a\n\ndata: last")).containsExactly(Ev.data("a"), Ev.data("last"));
        assertThat(whole("data: a\n\ndata: last\n")).containsExactly(Ev.data("a"), Ev.data("last"));
        assertThat(whole("data: a\n\ndata: last\r")).containsExactly(Ev.data("a"), Ev.data("last"));
    }

    @Test
    void finishWithNothingPendingDispatchesNothing() {
        assertThat(whole("data: a\n\n")).containsExactly(Ev.data("a"));
        assertThat(whole("data: a\n\n: trailing comment")).containsExactly(Ev.data("a"));
    }

    @Test
    void crAndLfSplitAcrossBuffersAreOneLineEnd() {
        byte[] input = "data: a\r\ndata: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // cut right after each CR, so every LF arrives at the start of the next buffer
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\r') {
                cuts.add(i + 1);
            }
        }
        assertThat(cuts).hasSize(3);

        // one event: had CR and LF counted as two line ends, "a" would have been dispatched alone
        assertThat(decode(input, cuts)).containsExactly(Ev.data("a\nb"));
    }

    @Test
    void multiByteUtf8SplitAcrossBuffersIsReassembled() {
        String text = "héllo wörld ✓ 日本語 🚀";
        byte[] input = ("event: ünï\ndata: " + text + "\n\n").getBytes(StandardCharsets.UTF_8);

        assertThat(byteByByte(input)).containsExactly(new Ev("ünï", text));
    }

    @Test
    void decodingStartsAtTheReaderIndex() {
        byte[] bytes = "garbage\ndata: x\n\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        List<Ev> out = new ArrayList<>();
        try {
            buf.readerIndex("garbage\n".length());
            new SseDecoder().decode(buf, (e, d) -> out.add(new Ev(e, new String(d, StandardCharsets.UTF_8))));
        } finally {
            buf.release();
        }
        assertThat(out).containsExactly(Ev.data("x"));
    }

    /** Every feature at once, used for the split-invariance tests below. */
    private static final String EVERYTHING = ": opening comment\r\n"
            + "data: {\"n\":1}\n\n"
            + "event: delta\r\ndata: line one\r\ndata: line two\r\n\r\n"
            + "data:no-space\r\r"
            + "\n\n\r\n" // blank lines alone
            + "event: orphan\n\n" // no data: not dispatched
            + "id: 3\nretry: 10\ndata: é✓🚀\n\n"
            + "data: cr-only\rdata: still same event\r\r"
            + "data: [DONE]\n\n"
            + "data: trailing without blank line";

    private static final List<Ev> EVERYTHING_EVENTS = List.of(
            Ev.data("{\"n\":1}"),
            new Ev("delta", "line one\nline two"),
            Ev.data("no-space"),
            Ev.data("é✓🚀"),
            Ev.data("cr-only\nstill same event"),
            Ev.data("[DONE]"),
            Ev.data("trailing without blank line"));

    @Test
    void everythingFedWholeGivesTheExpectedEvents() {
        assertThat(whole(EVERYTHING)).containsExactlyElementsOf(EVERYTHING_EVENTS);
    }

    @Test
    void everythingFedByteByByteGivesTheSameEvents() {
        assertThat(byteByByte(EVERYTHING.getBytes(StandardCharsets.UTF_8)))
                .containsExactlyElementsOf(EVERYTHING_EVENTS);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 987654321, -7})
    void everythingFedInRandomSplitsGivesTheSameEvents(long seed) {
        assertThat(randomSplits(EVERYTHING.getBytes(StandardCharsets.UTF_8), seed))
                .containsExactlyElementsOf(EVERYTHING_EVENTS);
    }

    @Test
    void everyTwoWaySplitGivesTheSameEvents() {
        byte[] input = EVERYTHING.getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < input.length; cut++) {
            assertThat(decode(input, List.of(cut))).as("split at %d", cut).containsExactlyElementsOf(EVERYTHING_EVENTS);
        }
    }

    @Test
    void emptyBuffersBetweenPiecesChangeNothing() {
        byte[] input = EVERYTHING.getBytes(StandardCharsets.UTF_8);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < input.length; i += 5) {
            cuts.add(i);
            cuts.add(i); // a zero-length buffer
        }
        assertThat(decode(input, cuts)).containsExactlyElementsOf(EVERYTHING_EVENTS);
    }
}
