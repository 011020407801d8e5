package io.junction.server.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP headers as one flat array of name/value pairs in insertion order, looked up by a linear,
 * case-insensitive scan: the same contract as Netty's {@code DefaultHttpHeaders}, for the handful of
 * headers a gateway's messages carry. Netty's map allocates a 16-slot hash table and a six-field
 * entry per header; this allocates one array on the first header (eight pairs, doubled when full)
 * and nothing for an empty set, which is what most trailers are. Under load it was about a tenth of
 * the bytes Junction allocated per request (docs/performance.md).
 *
 * <p>Names and values are validated as Netty's defaults validate them (token characters in names; no
 * bare CR, LF or NUL in values), with the trailer rules for trailers; values are converted as
 * Netty converts them ({@code CharSequence} kept, a {@code Date} or {@code Calendar} as an HTTP
 * date, anything else by {@code toString()}). Differences: an entry from the iterators is
 * read-only (and {@code iteratorCharSequence}'s is reused from one header to the next), the value iterators run in insertion order (Netty's newest first), and {@code getTimeMillis} gives null (or the default) for an unparsable date instead
 * of throwing. Lookups cost a scan of the set, which the decoders' header-size limits keep short
 * (8 KiB of header bytes). Not thread-safe, like Netty's.
 *
 * <p>A {@code String} name given to {@code set} is validated once and kept as an {@link AsciiString}
 * (see {@link #KNOWN_NAMES}), and a {@code Long} or {@code Integer} value becomes an
 * {@code AsciiString} of its digits: Netty's encoder copies an {@code AsciiString} into the socket's
 * direct buffer in one go, where it writes a {@code String} one character at a time. The bytes on
 * the wire are the same.
 *
 * <p>Use {@link #headersFactory()} and {@link #trailersFactory()} in an {@code HttpDecoderConfig},
 * and {@link #FlatHttpHeaders()} for a message Junction writes.
 */
public final class FlatHttpHeaders extends HttpHeaders {
    private static final int FIRST_PAIRS = 8;
    private static final DefaultHeaders.NameValidator<CharSequence> HEADER_NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final DefaultHeaders.NameValidator<CharSequence> TRAILER_NAMES =
            DefaultHttpHeadersFactory.trailersFactory().getNameValidator();
    private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
            DefaultHttpHeadersFactory.headersFactory().getValueValidator();
    /**
     * {@code String} names that {@code set} has validated, as {@code AsciiString}s, so that the names
     * Junction writes on every request (its {@code x-junction-*} headers, an adapter's
     * {@code Authorization}) are validated once, not per request: under load that validation and the
     * encoder's character-by-character copy of a {@code String} were ~3.5% of the event loops'
     * samples (docs/performance-log.md, "Tenth session"). Only {@code set} fills it and Netty's decoders
     * only {@code add}, so names a client sends do not; it stops growing at {@link #MAX_KNOWN_NAMES}
     * all the same (loops racing past the size check may add one name each), and a name past that is
     * validated on every call, as before.
     */
    private static final ConcurrentHashMap<String, AsciiString> KNOWN_NAMES = new ConcurrentHashMap<>();

    static final int MAX_KNOWN_NAMES = 256;
    private static final HttpHeadersFactory HEADERS = new Factory(false);
    private static final HttpHeadersFactory TRAILERS = new Factory(true);

    private final DefaultHeaders.NameValidator<CharSequence> names;
    private final int firstPairs;
    private CharSequence[] pairs; // name, value, name, value...; null until the first header
    private int size; // pairs in use

    /** Headers of a message (not trailers), validated as Netty's defaults validate them. */
    public FlatHttpHeaders() {
        this(false, FIRST_PAIRS);
    }

    /** The same, with room for {@code expected} headers before the array grows. */
    public FlatHttpHeaders(int expected) {
        this(false, Math.max(1, expected));
    }

    private FlatHttpHeaders(boolean trailers, int firstPairs) {
        this.names = trailers ? TRAILER_NAMES : HEADER_NAMES;
        this.firstPairs = firstPairs;
    }

    /** For {@code HttpDecoderConfig.setHeadersFactory}: each decoded message's headers. */
    public static HttpHeadersFactory headersFactory() {
        return HEADERS;
    }

    /** For {@code HttpDecoderConfig.setTrailersFactory}: trailers, which cost nothing while empty. */
    public static HttpHeadersFactory trailersFactory() {
        return TRAILERS;
    }

    private record Factory(boolean trailers) implements HttpHeadersFactory {
        @Override
        public HttpHeaders newHeaders() {
            return new FlatHttpHeaders(trailers, FIRST_PAIRS);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FlatHttpHeaders(trailers, FIRST_PAIRS);
        }
    }

    // ------------------------------------------------------------------ lookups

    private int indexOf(CharSequence name, int fromPair) {
        for (int i = fromPair; i < size; i++) {
            if (AsciiString.contentEqualsIgnoreCase(pairs[2 * i], name)) {
                return i;
            }
        }
        return -1;
    }

    private CharSequence first(CharSequence name) {
        int i = indexOf(Objects.requireNonNull(name, "name"), 0);
        return i < 0 ? null : pairs[2 * i + 1];
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence v = first(name);
        return v == null ? null : v.toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        CharSequence v = first(name);
        if (v == null) {
            return null;
        }
        try {
            return v instanceof AsciiString a ? a.parseInt() : Integer.parseInt(v.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        CharSequence v = first(name);
        if (v == null) {
            return null;
        }
        try {
            return v instanceof AsciiString a ? a.parseShort() : Short.parseShort(v.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        CharSequence v = first(name);
        Date d = v == null ? null : DateFormatter.parseHttpDate(v);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        Objects.requireNonNull(name, "name");
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        List<String> out = new ArrayList<>(2);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            out.add(pairs[2 * i + 1].toString());
        }
        return out;
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        Objects.requireNonNull(name, "name");
        return new Iterator<>() {
            private int next = indexOf(name, 0);

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence v = pairs[2 * next + 1];
                next = indexOf(name, next + 1);
                return v;
            }
        };
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        Iterator<? extends CharSequence> it = valueCharSequenceIterator(name);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                return it.next().toString();
            }
        };
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return first(name) != null;
    }

    /** Whether a header {@code name} has exactly {@code value} (whole values; not comma-split). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        Objects.requireNonNull(name, "name");
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = pairs[2 * i + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a header {@code name} lists {@code value}: each value split at commas, each element
     * trimmed, as Netty's {@code HttpHeaders} compares them (no element after a trailing comma), but
     * without an iterator or a sub-sequence per element. The codecs ask this several times a message.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        Objects.requireNonNull(name, "name");
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listHas(pairs[2 * i + 1], value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHas(CharSequence list, CharSequence element, boolean ignoreCase) {
        int n = list.length();
        int begin = 0;
        while (true) {
            int end = AsciiString.indexOf(list, ',', begin);
            if (end < 0) {
                return (begin == 0 || begin < n) && trimmedEquals(list, begin, n, element, ignoreCase);
            }
            if (trimmedEquals(list, begin, end, element, ignoreCase)) {
                return true;
            }
            begin = end + 1;
        }
    }

    private static boolean trimmedEquals(CharSequence s, int from, int to, CharSequence other, boolean ignoreCase) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to - from == other.length() && AsciiString.regionMatches(s, ignoreCase, from, other, 0, to - from);
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>(Math.max(4, size * 2));
        for (int i = 0; i < size; i++) {
            out.add(pairs[2 * i].toString());
        }
        return out;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        if (size == 0) {
            return Collections.emptyList();
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i].toString(), pairs[2 * i + 1].toString()));
        }
        return out;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Cursor();
    }

    /**
     * The encoders' iterator, run for every message written: it is its own entry (as Netty's
     * {@code ReadOnlyHttpHeaders}' is), so writing the headers allocates one object, not one per
     * header. An entry is valid until the next {@code next()}; read it, do not keep it.
     */
    private final class Cursor
            implements Iterator<Map.Entry<CharSequence, CharSequence>>, Map.Entry<CharSequence, CharSequence> {
        private int next;
        private int current = -1;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            current = next++;
            return this;
        }

        @Override
        public CharSequence getKey() {
            return pairs[2 * current];
        }

        @Override
        public CharSequence getValue() {
            return pairs[2 * current + 1];
        }

        @Override
        public CharSequence setValue(CharSequence value) {
            throw new UnsupportedOperationException("read-only entry");
        }

        @Override
        public String toString() {
            return getKey() + "=" + getValue();
        }
    }

    // ------------------------------------------------------------------ changes

    private static CharSequence convert(Object value) {
        Objects.requireNonNull(value, "value");
        if (value instanceof CharSequence s) {
            return s;
        }
        if (value instanceof Long || value instanceof Integer) {
            return digits(((Number) value).longValue()); // content-length, from HttpUtil.setContentLength
        }
        if (value instanceof Date d) {
            return DateFormatter.format(d);
        }
        if (value instanceof Calendar c) {
            return DateFormatter.format(c.getTime());
        }
        return value.toString();
    }

    private void append(CharSequence name, Object value) {
        CharSequence v = convert(value);
        VALUES.validate(v);
        store(name, v);
    }

    /** Appends a pair whose name and value are validated already. */
    private void store(CharSequence name, CharSequence v) {
        if (pairs == null) {
            pairs = new CharSequence[2 * firstPairs];
        } else if (2 * size == pairs.length) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[2 * size] = name;
        pairs[2 * size + 1] = v;
        size++;
    }

    private CharSequence checkedName(CharSequence name) {
        Objects.requireNonNull(name, "name");
        names.validateName(name);
        return name;
    }

    /** {@code name} validated, for {@code set}: see {@link #KNOWN_NAMES}. */
    private CharSequence settableName(CharSequence name) {
        if (!(name instanceof String s) || names != HEADER_NAMES) {
            return checkedName(name);
        }
        AsciiString known = KNOWN_NAMES.get(s);
        if (known != null) {
            return known;
        }
        checkedName(s); // token characters only, so the AsciiString below holds the same text
        if (KNOWN_NAMES.size() >= MAX_KNOWN_NAMES) {
            return s;
        }
        AsciiString a = new AsciiString(s);
        AsciiString raced = KNOWN_NAMES.putIfAbsent(s, a);
        return raced == null ? a : raced;
    }

    /** How many names {@link #KNOWN_NAMES} holds: for tests. */
    static int knownNames() {
        return KNOWN_NAMES.size();
    }

    /** Empties {@link #KNOWN_NAMES}: for tests, which must not depend on each other's names. */
    static void forgetKnownNames() {
        KNOWN_NAMES.clear();
    }

    /** The decimal digits of {@code v}, as {@code Long.toString} writes them. */
    static AsciiString digits(long v) {
        if (v == Long.MIN_VALUE) {
            return new AsciiString(Long.toString(v));
        }
        long x = Math.abs(v);
        int sign = v < 0 ? 1 : 0;
        int length = sign + 1;
        for (long rest = x / 10; rest != 0; rest /= 10) {
            length++;
        }
        byte[] b = new byte[length];
        for (int i = length - 1; i >= sign; i--) {
            b[i] = (byte) ('0' + x % 10);
            x /= 10;
        }
        if (sign == 1) {
            b[0] = '-';
        }
        return new AsciiString(b, false);
    }

    private void removeAll(CharSequence name) {
        int first = indexOf(name, 0);
        if (first < 0) {
            return; // the usual case of a set(): nothing to remove, nothing to move
        }
        int to = first;
        for (int i = first + 1; i < size; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(pairs[2 * i], name)) {
                pairs[2 * to] = pairs[2 * i];
                pairs[2 * to + 1] = pairs[2 * i + 1];
                to++;
            }
        }
        Arrays.fill(pairs, 2 * to, 2 * size, null);
        size = to;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(checkedName(name), value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        checkedName(name);
        for (Object v : values) {
            append(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence n = settableName(name);
        CharSequence v = convert(value); // converted and validated before anything is removed
        VALUES.validate(v);
        if (size > 0) {
            removeAll(n);
        }
        store(n, v);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        checkedName(name);
        if (size > 0) {
            removeAll(name);
        }
        for (Object v : values) {
            append(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        Objects.requireNonNull(name, "name");
        if (size > 0) {
            removeAll(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (pairs != null) {
            Arrays.fill(pairs, 0, 2 * size, null);
        }
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        FlatHttpHeaders c = new FlatHttpHeaders(names == TRAILER_NAMES, firstPairs);
        if (size > 0) {
            c.pairs = Arrays.copyOf(pairs, Math.max(2 * firstPairs, 2 * size));
            c.size = size;
        }
        return c;
    }
}
