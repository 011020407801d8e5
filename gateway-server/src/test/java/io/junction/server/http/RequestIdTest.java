package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdTest {
    @Test
    void aFreshIdIsReqAnd32LowercaseHexDigitsWithBothHalvesFull() {
        Set<String> seen = new HashSet<>();
        boolean[] digitSeen = new boolean[16];
        for (int i = 0; i < 2000; i++) {
            String id = HttpResponses.requestId(null);
            assertThat(id).matches("req_[89a-f][0-9a-f]{15}[89a-f][0-9a-f]{15}");
            assertThat(seen.add(id)).isTrue();
            for (char c : id.substring(4).toCharArray()) {
                digitSeen[Character.digit(c, 16)] = true;
            }
        }
        for (int d = 0; d < 16; d++) {
            assertThat(digitSeen[d]).as("digit %x appears", d).isTrue();
        }
    }

    @Test
    void aSaneClientIdIsKeptAndAnInsaneOneReplaced() {
        assertThat(HttpResponses.requestId("abc-123")).isEqualTo("abc-123");
        assertThat(HttpResponses.requestId("has space")).startsWith("req_");
        assertThat(HttpResponses.requestId("x".repeat(201))).startsWith("req_");
        assertThat(HttpResponses.requestId("")).startsWith("req_");
    }
}
