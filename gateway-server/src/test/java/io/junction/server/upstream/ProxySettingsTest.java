package io.junction.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {

    @Test
    void httpsAndHttpProxiesWithNoProxyExceptions() {
        ProxySettings p = new ProxySettings(Map.of(
                "HTTPS_PROXY", "http://user:pw@127.0.0.1:3128",
                "http_proxy", "127.0.0.1:8081",
                "NO_PROXY", "internal.example, .corp.example")::get);
        ProxySettings.Proxy https = p.proxyFor("https", "api.openai.com");
        assertThat(https).isNotNull();
        assertThat(https.address().getPort()).isEqualTo(3128);
        assertThat(https.username()).isEqualTo("user");
        assertThat(https.password()).isEqualTo("pw");
        assertThat(https.toString()).doesNotContain("pw");
        assertThat(p.proxyFor("http", "example.org").address().getPort()).isEqualTo(8081);
        assertThat(p.proxyFor("https", "internal.example")).isNull();
        assertThat(p.proxyFor("https", "api.internal.example")).isNull();
        assertThat(p.proxyFor("https", "x.corp.example")).isNull();
        assertThat(p.proxyFor("https", "notcorp.example")).isNotNull();
    }

    @Test
    void loopbackNeverUsesAProxy() {
        ProxySettings p = new ProxySettings(
                Map.of("HTTPS_PROXY", "http://127.0.0.1:3128", "HTTP_PROXY", "http://127.0.0.1:3128")::get);
        assertThat(p.proxyFor("http", "127.0.0.1")).isNull();
        assertThat(p.proxyFor("http", "localhost")).isNull();
        assertThat(p.proxyFor("https", "::1")).isNull();
    }

    @Test
    void noVariablesMeansDirect() {
        ProxySettings p = new ProxySettings(name -> null);
        assertThat(p.proxyFor("https", "api.openai.com")).isNull();
        ProxySettings star = new ProxySettings(Map.of("HTTPS_PROXY", "http://127.0.0.1:1", "NO_PROXY", "*")::get);
        assertThat(star.proxyFor("https", "api.openai.com")).isNull();
    }
}
