package io.junction.core.route;

import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.Target;
import java.net.URI;
import java.util.Map;

/**
 * Watches each upstream attempt of a {@link RoutedCall} (the server's tracing implements it; core
 * stays free of any tracing library). Called on the call's event loop; must not block.
 */
public interface AttemptObserver {

    /**
     * An attempt to {@code target} starts (a first try, a retry, a fallback or a hedge).
     *
     * @param sent the request as this attempt sends it (the target's model)
     * @param number 1 for the call's first attempt, then 2, 3, ...
     * @param hedge whether this attempt races another one still running
     * @return the attempt's observer; {@link Handle#end} is called exactly once
     */
    Handle started(Target target, ChatRequest sent, int number, boolean hedge);

    /** One attempt. */
    interface Handle {
        /**
         * The request is about to go to {@code uri} (not called when it could not be encoded).
         *
         * @return headers added to it (e.g. this attempt's {@code traceparent}); may be empty
         */
        Map<String, String> sending(URI uri);

        /**
         * The attempt ended: {@code errorCode} null for a success, else the failure's code
         * ({@code hedge_lost}, {@code cancelled} when the call was abandoned, ...); {@code status} the
         * HTTP status it got or was given (0 when none). {@code info} holds the call's usage so far.
         */
        void end(int status, String errorCode, CallInfo info);
    }
}
