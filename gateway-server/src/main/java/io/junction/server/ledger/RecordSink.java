package io.junction.server.ledger;

/**
 * Where the ledger's writer thread hands each finished record besides the store: the access log.
 * Records come in batches, one per drain of the recorder's queue; {@link #beginBatch()} and
 * {@link #endBatch()} bracket each non-empty batch, so a sink can write a batch at once.
 */
public interface RecordSink {
    RecordSink NONE = r -> {};

    void accept(UsageRecord r);

    /** Before the first record of a drain. */
    default void beginBatch() {}

    /** After the last record of a drain (also when one of them failed). */
    default void endBatch() {}
}
