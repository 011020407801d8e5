package io.junction.core.config;

import java.util.List;

/**
 * An A/B campaign ({@code ab_campaigns.<name>}): requests naming it with {@code ab_campaign} are
 * split between {@code arms} by weight, sticky per {@code session_id} (else {@code user}).
 */
public record AbCampaignSpec(List<Arm> arms) {
    public AbCampaignSpec {
        arms = arms == null ? List.of() : List.copyOf(arms);
    }

    /** One arm: its name (reported as {@code extra_fields.ab_arm}), the model or alias it uses, its weight. */
    public record Arm(String name, String model, Double weight) {
        public Arm {
            weight = weight == null ? 1.0 : weight;
        }
    }
}
