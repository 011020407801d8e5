package io.junction.server.cache;

import io.junction.core.cache.CachePolicy;

/**
 * The cache's part in one request: the {@link CachePolicy.Decision} and the key (null for a bypass).
 *
 * @param service the cache of the config the request started with
 */
public record CachePlan(CacheService service, CachePolicy.Decision decision, String key) {

    public boolean reads() {
        return decision.reads();
    }

    public boolean writes() {
        return decision.writes();
    }

    /** Counts a lookup's outcome (a refresh counts as a miss). */
    public void counted(boolean hit) {
        if (hit) {
            service.hit();
        } else {
            service.miss();
        }
    }
}
