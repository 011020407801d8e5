package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.server.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the server writes every finished call's record, even with a flush interval far longer
 * than the test: nothing is left in the queue on a graceful shutdown.
 */
class LedgerShutdownTest {
    @TempDir
    Path dir;

    @Test
    void closeFlushesTheLedger() throws Exception {
        Path db = dir.resolve("usage.db");
        TestGateway gw = new TestGateway("""
                providers:
                  mock: { models: [echo] }
                ledger: { type: sqlite, path: "%s", flush_interval_ms: 60000, batch_size: 1000 }
                """.formatted(db.toString().replace("\\", "/")));
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = gw.post(
                        "/v1/chat/completions",
                        "{\"model\":\"mock/echo\",\"stream\":" + (i % 2 == 0)
                                + ",\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}",
                        Map.of("x-request-id", "shutdown-" + i));
                assertThat(r.statusCode()).isEqualTo(200);
            }
        } finally {
            gw.close();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT COUNT(*), SUM(prompt_tokens), SUM(stream), MIN(key_name)"
                                + " FROM usage_record WHERE request_id LIKE 'shutdown-%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(5);
            assertThat(rs.getLong(2)).as("the mock reports usage").isPositive();
            assertThat(rs.getInt(3)).isEqualTo(3);
            assertThat(rs.getString(4)).isEqualTo("anonymous");
        }
    }
}
