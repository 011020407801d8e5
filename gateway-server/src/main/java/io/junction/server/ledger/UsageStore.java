package io.junction.server.ledger;

import java.sql.SQLException;
import java.util.List;

/**
 * Where usage records are kept. Implementations: {@link JdbcUsageStore} on SQLite (the embedded
 * default) or PostgreSQL. {@link #insert} is called from the recorder's one writer thread only;
 * {@link #aggregate} from the admin query thread.
 */
public interface UsageStore extends AutoCloseable {

    /** Writes a batch in one transaction: all of it or none. */
    void insert(List<UsageRecord> batch) throws SQLException;

    /** Sums over {@code [from, to)} grouped as asked. */
    List<UsageRow> aggregate(UsageQuery query) throws SQLException;

    /** A short description for logs (never a password). */
    String describe();

    @Override
    void close();
}
