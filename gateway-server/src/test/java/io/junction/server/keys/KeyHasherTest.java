package io.junction.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHasherTest {
    @Test
    void samePepperSameHashOtherPepperOtherHash() {
        String secret = KeyHasher.newSecret();
        KeyHasher a = KeyHasher.of("pepper-one-0123456789");
        KeyHasher a2 = KeyHasher.of("pepper-one-0123456789");
        KeyHasher b = KeyHasher.of("pepper-two-0123456789");
        assertThat(a.hash(secret)).isEqualTo(a2.hash(secret)).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(a.hash(secret)).isNotEqualTo(b.hash(secret));
        assertThat(a.hash(secret)).isNotEqualTo(a.hash(secret + "x"));
        assertThat(a.pepperId())
                .isEqualTo(a2.pepperId())
                .isNotEqualTo(b.pepperId())
                .hasSize(16);
        assertThat(a.hash(secret)).doesNotContain(secret);
        assertThat(KeyHasher.same(a.digest(secret), a2.digest(secret))).isTrue();
        assertThat(KeyHasher.same(a.digest(secret), b.digest(secret))).isFalse();
    }

    @Test
    void isHmacSha256OfTheSecretKeyedByThePepper() throws Exception {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        assertThat(KeyHasher.of("Jefe").hash("what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void secretsAreJkPlus32RandomBytesBase64Url() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String s = KeyHasher.newSecret();
            assertThat(s).matches("jk-[A-Za-z0-9_-]{43}");
            assertThat(seen.add(s)).isTrue();
        }
        assertThat(KeyHasher.shown("jk-abcdefghij")).isEqualTo("jk-abcde");
        assertThat(KeyHasher.newId()).matches("key_[0-9a-f]{24}");
    }
}
