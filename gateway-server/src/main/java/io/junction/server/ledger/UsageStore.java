package io.junction.server.ledger;

import java.sql.SQLException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Where usage records are kept. Implementations: {@link JdbcUsageStore} on SQLite (the embedded
 * default) or PostgreSQL. {@link #insert} is called from the recorder's one writer thread only;
 * {@link #aggregate} from the admin query thread.
 */
public interface UsageStore extends AutoCloseable {

    /** Writes a batch in one transaction: all of it or none. */
    void insert(List<UsageRecord> batch) throws SQLException;

    /**
     * How a store that works in this process paces a long write: between slices of a batch it offers
     * the CPU to a waiting thread only while {@code offerCpu} says so. The recorder says no while its
     * queue is backing up. Stores whose work runs elsewhere ignore it.
     */
    default void pace(BooleanSupplier offerCpu) {}

    /** Sums over {@code [from, to)} grouped as asked. */
    List<UsageRow> aggregate(UsageQuery query) throws SQLException;

    /** A short description for logs (never a password). */
    String describe();

    @Override
    void close();
}
