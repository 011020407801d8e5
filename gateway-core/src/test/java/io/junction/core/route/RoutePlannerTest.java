package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.AbCampaignSpec;
import io.junction.core.config.AliasSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ProviderSpec;
import io.junction.core.config.RoutingSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ContentPart;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ProviderPreferences;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Strategies, provider preferences, A/B campaigns and system prompts, without any I/O. */
class RoutePlannerTest {
    private final ProviderRegistry registry = new ProviderRegistry(List.of(new FakeAdapter()));
    private final TargetStats stats = new TargetStats();
    private final Random rng = new Random(42);

    private RoutePlanner planner(Map<String, AliasSpec> models, Map<String, AbCampaignSpec> campaigns) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        for (String p : List.of("pa", "pb", "pc")) {
            providers.put(p, new ProviderSpec("fake", null, null, null, null, null, null, null));
        }
        JunctionConfig config =
                new JunctionConfig(null, null, providers, models, null, RoutingSpec.DEFAULTS, campaigns);
        return new RoutePlanner(config, new ModelResolver(config, registry), stats);
    }

    private RoutePlanner planner(Map<String, AliasSpec> models) {
        return planner(models, Map.of());
    }

    private static ChatRequest.Builder ask(String model) {
        return new ChatRequest.Builder().model(model).messages(List.of(ChatMessage.of("user", "hi")));
    }

    private static List<String> ids(RoutePlanner.Plan plan) {
        return plan.targets().stream().map(Target::id).toList();
    }

    private static AliasSpec alias(String strategy, List<String> targets, List<Double> weights) {
        return new AliasSpec(targets, null, strategy, weights, null);
    }

    // ------------------------------------------------------------------ strategies

    @Test
    void weightedSplitsTheFirstPickByWeightWithinThreePercent() {
        RoutePlanner p = planner(Map.of("m", alias("weighted", List.of("pa/x", "pb/y"), List.of(1.0, 3.0))));
        int first = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            RoutePlanner.Plan plan = p.plan(ask("m").build(), null, rng::nextDouble);
            assertThat(plan.targets()).hasSize(2);
            if (plan.targets().get(0).id().equals("pa/x")) {
                first++;
            }
        }
        assertThat(first / (double) n).isBetween(0.22, 0.28);
    }

    @Test
    void leastBusyPrefersFewestInFlightAndKeepsTheRestAsFallbacks() {
        RoutePlanner p = planner(Map.of("m", alias("least_busy", List.of("pa/x", "pb/y", "pc/z"), null)));
        Target a = p.ordered("pa/x", rng::nextDouble).get(0);
        Target b = p.ordered("pb/y", rng::nextDouble).get(0);
        stats.started(a);
        stats.started(a);
        stats.started(b);
        assertThat(ids(p.plan(ask("m").build(), null, rng::nextDouble))).containsExactly("pc/z", "pb/y", "pa/x");
        stats.finished(a);
        stats.finished(a);
        assertThat(ids(p.plan(ask("m").build(), null, rng::nextDouble))).containsExactly("pa/x", "pc/z", "pb/y");
    }

    @Test
    void leastLatencyTriesUnmeasuredTargetsFirstThenTheFastest() {
        RoutePlanner p = planner(Map.of("m", alias("least_latency", List.of("pa/x", "pb/y", "pc/z"), null)));
        Target a = p.ordered("pa/x", rng::nextDouble).get(0);
        Target c = p.ordered("pc/z", rng::nextDouble).get(0);
        stats.latency(a, 900_000_000L);
        stats.latency(c, 100_000_000L);
        assertThat(ids(p.plan(ask("m").build(), null, rng::nextDouble))).containsExactly("pb/y", "pc/z", "pa/x");
    }

    @Test
    void latencyIsAnExponentiallyWeightedAverage() {
        Target a = planner(Map.of()).ordered("pa/x", rng::nextDouble).get(0);
        stats.latency(a, 1000);
        assertThat(stats.latencyNanos(a)).isEqualTo(1000);
        stats.latency(a, 2000);
        assertThat(stats.latencyNanos(a)).isEqualTo(1000 + TargetStats.ALPHA * 1000);
    }

    @Test
    void fallbacksFollowTheModelWithoutRepeatingATarget() {
        RoutePlanner p = planner(Map.of("m", new AliasSpec(List.of("pa/x", "pb/y"))));
        assertThat(ids(p.plan(ask("m").build(), List.of("pb/y", "pc/z"), rng::nextDouble)))
                .containsExactly("pa/x", "pb/y", "pc/z");
        assertThatThrownBy(() -> p.plan(ask("m").build(), List.of("nope"), rng::nextDouble))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("fallbacks[0]"));
    }

    // ------------------------------------------------------------------ provider preferences

    private static ProviderPreferences prefs(
            List<String> order, Boolean allowFallbacks, List<String> only, List<String> ignore, String sort) {
        return new ProviderPreferences(order, allowFallbacks, only, ignore, sort, null);
    }

    private List<String> planWith(ProviderPreferences prefs) {
        RoutePlanner p = planner(Map.of("m", new AliasSpec(List.of("pa/x", "pb/y", "pc/z"))));
        return ids(p.plan(ask("m").provider(prefs).build(), null, rng::nextDouble));
    }

    @Test
    void onlyIgnoreOrderAndAllowFallbacks() {
        assertThat(planWith(prefs(null, null, List.of("pc", "pa"), null, null))).containsExactly("pa/x", "pc/z");
        assertThat(planWith(prefs(null, null, null, List.of("pa"), null))).containsExactly("pb/y", "pc/z");
        assertThat(planWith(prefs(List.of("pc", "pb"), null, null, null, null)))
                .containsExactly("pc/z", "pb/y", "pa/x");
        assertThat(planWith(prefs(List.of("pb"), false, null, null, null))).containsExactly("pb/y");
    }

    @Test
    void unknownProviderNamesAndSortsAre400sNamingTheParam() {
        assertThatThrownBy(() -> planWith(prefs(null, null, List.of("pa", "zz"), null, null)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("provider.only[1]");
                });
        assertThatThrownBy(() -> planWith(prefs(List.of("zz"), null, null, null, null)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("provider.order[0]"));
        assertThatThrownBy(() -> planWith(prefs(null, null, null, null, "cheapest")))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("provider.sort"));
        assertThatThrownBy(() -> planWith(prefs(null, null, List.of("pa"), List.of("pa"), null)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.code()).isEqualTo("no_target"));
    }

    @Test
    void sortByLatencyPutsMeasuredFastTargetsFirst() {
        RoutePlanner p = planner(Map.of());
        stats.latency(p.ordered("pc/z", rng::nextDouble).get(0), 10);
        stats.latency(p.ordered("pb/y", rng::nextDouble).get(0), 20);
        assertThat(planWith(prefs(null, null, null, null, "latency"))).containsExactly("pc/z", "pb/y", "pa/x");
    }

    // ------------------------------------------------------------------ A/B campaigns

    private RoutePlanner campaignPlanner() {
        AbCampaignSpec spring = new AbCampaignSpec(List.of(
                new AbCampaignSpec.Arm("control", "pa/x", 70.0), new AbCampaignSpec.Arm("treatment", "pb/y", 30.0)));
        return planner(Map.of(), Map.of("spring", spring));
    }

    private static ChatRequest inCampaign(String session, String user) {
        return ask("anything")
                .sessionId(session)
                .user(user)
                .abCampaign("spring")
                .build();
    }

    @Test
    void abAssignmentIsStickyPerSessionAndSplitsByWeight() {
        RoutePlanner p = campaignPlanner();
        RoutePlanner.Plan first = p.plan(inCampaign("session-7", null), null, rng::nextDouble);
        for (int i = 0; i < 50; i++) {
            RoutePlanner.Plan again = p.plan(inCampaign("session-7", null), null, rng::nextDouble);
            assertThat(again.abArm()).isEqualTo(first.abArm());
            assertThat(ids(again)).isEqualTo(ids(first));
        }
        Map<String, Integer> counts = new HashMap<>();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            counts.merge(
                    p.plan(inCampaign("s" + i, null), null, rng::nextDouble).abArm(), 1, Integer::sum);
        }
        assertThat(counts.get("control") / (double) n).isBetween(0.67, 0.73);
        assertThat(p.plan(inCampaign(null, "user-1"), null, rng::nextDouble).abArm())
                .as("user is the sticky key without a session")
                .isEqualTo(p.plan(inCampaign(null, "user-1"), null, rng::nextDouble)
                        .abArm());
    }

    @Test
    void theArmsModelIsRoutedAndTheClientsModelIsKept() {
        RoutePlanner.Plan plan = campaignPlanner().plan(inCampaign("x", null), null, rng::nextDouble);
        assertThat(ids(plan)).containsExactly(plan.abArm().equals("control") ? "pa/x" : "pb/y");
        assertThat(plan.request().model()).isEqualTo("anything");
    }

    @Test
    void unknownCampaignIs400() {
        ChatRequest other =
                inCampaign("s", null).toBuilder().abCampaign("autumn").build();
        assertThatThrownBy(() -> planner(Map.of()).plan(other, null, rng::nextDouble))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("ab_campaign"));
    }

    // ------------------------------------------------------------------ system prompts

    private static ChatRequest withArgs(List<ChatMessage> messages, Map<String, String> args) {
        return ask("pa/x").messages(messages).systemPromptArgs(args).build();
    }

    @Test
    void placeholdersAreRenderedWithoutRecursionInStringAndPartContent() {
        ChatMessage system = ChatMessage.of("system", "You help {{ customer }} with {{topic}}.");
        ChatMessage developer = new ChatMessage(
                "developer",
                new MessageContent.Parts(List.of(new ContentPart.TextPart("Tone: {{tone}}"))),
                null,
                null,
                null,
                null,
                null,
                null);
        ChatMessage user = ChatMessage.of("user", "What is {{topic}}?");
        ChatRequest r = withArgs(
                List.of(system, developer, user),
                Map.of("customer", "ACME {{tone}}", "topic", "billing", "tone", "calm"));
        List<ChatMessage> out =
                planner(Map.of()).plan(r, null, rng::nextDouble).request().messages();
        assertThat(out.get(0).text()).isEqualTo("You help ACME {{tone}} with billing.");
        assertThat(out.get(1).text()).isEqualTo("Tone: calm");
        assertThat(out.get(2).text()).as("user messages are never rendered").isEqualTo("What is {{topic}}?");
    }

    @Test
    void aMissingArgumentIsA400NamingIt() {
        ChatRequest r =
                withArgs(List.of(ChatMessage.of("system", "Hi {{name}}"), ChatMessage.of("user", "x")), Map.of());
        assertThatThrownBy(() -> planner(Map.of()).plan(r, null, rng::nextDouble))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("system_prompt_args.name");
                });
    }

    @Test
    void withoutArgsSystemTextIsLeftAloneAndAnAliasTemplateIsPrepended() {
        ChatRequest plain = ask("pa/x")
                .messages(List.of(ChatMessage.of("system", "literal {{braces}}"), ChatMessage.of("user", "x")))
                .build();
        assertThat(planner(Map.of()).plan(plain, null, rng::nextDouble).request())
                .isSameAs(plain);

        RoutePlanner p =
                planner(Map.of("support", new AliasSpec(List.of("pa/x"), null, null, null, "Be brief, {{who}}.")));
        ChatRequest r = withArgs(List.of(ChatMessage.of("user", "x")), Map.of("who", "agent"));
        ChatRequest out = p.plan(r.toBuilder().model("support").build(), null, rng::nextDouble)
                .request();
        assertThat(out.messages()).hasSize(2);
        assertThat(out.messages().get(0).role()).isEqualTo("system");
        assertThat(out.messages().get(0).text()).isEqualTo("Be brief, agent.");
    }

    // ------------------------------------------------------------------ price

    private RoutePlanner pricedPlanner(Map<String, AliasSpec> models) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        for (String p : List.of("pa", "pb", "pc")) {
            providers.put(p, new ProviderSpec("fake", null, null, null, null, null, null, null));
        }
        JunctionConfig config = new JunctionConfig(null, null, providers, models, null, RoutingSpec.DEFAULTS, Map.of());
        io.junction.core.pricing.PricingTable prices = io.junction.core.pricing.PricingTable.of(
                Map.of(),
                Map.of(
                        "pa/x", new io.junction.core.config.PriceSpec(5.0, null, null, 15.0, null),
                        "pb/y", new io.junction.core.config.PriceSpec(0.1, null, null, 0.4, null)));
        return new RoutePlanner(config, new ModelResolver(config, registry), stats, prices);
    }

    @Test
    void theCostStrategyTriesTheCheapestFirstAndUnpricedLast() {
        RoutePlanner p = pricedPlanner(Map.of("m", alias("cost", List.of("pc/z", "pa/x", "pb/y"), null)));
        assertThat(ids(p.plan(ask("m").build(), null, rng::nextDouble))).containsExactly("pb/y", "pa/x", "pc/z");
    }

    @Test
    void sortByPriceReordersThePlan() {
        RoutePlanner p = pricedPlanner(Map.of("m", new AliasSpec(List.of("pc/z", "pa/x", "pb/y"))));
        ChatRequest r =
                ask("m").provider(prefs(null, null, null, null, "price")).build();
        assertThat(ids(p.plan(r, null, rng::nextDouble))).containsExactly("pb/y", "pa/x", "pc/z");
    }

    // ------------------------------------------------------------------ capabilities

    private RoutePlanner capabilityPlanner() {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        providers.put(
                "blind",
                new ProviderSpec(
                        "fake",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        new io.junction.core.config.CapabilitiesSpec(null, false, null, null, 100),
                        null));
        providers.put("full", new ProviderSpec("fake", null, null, null, null, null, null, null));
        Map<String, AliasSpec> models = Map.of("m", new AliasSpec(List.of("blind/x", "full/y")));
        JunctionConfig config = new JunctionConfig(null, null, providers, models, null, RoutingSpec.DEFAULTS, Map.of());
        return new RoutePlanner(config, new ModelResolver(config, registry), stats);
    }

    @Test
    void aTargetLackingACapabilityIsSkippedWithTheReasonRecorded() {
        ChatMessage image = new ChatMessage(
                "user",
                new MessageContent.Parts(
                        List.of(new ContentPart.ImageUrlPart(new ContentPart.ImageUrl("https://x/y.png", null), null))),
                null,
                null,
                null,
                null,
                null,
                null);
        RoutePlanner.Plan plan =
                capabilityPlanner().plan(ask("m").messages(List.of(image)).build(), null, rng::nextDouble);
        assertThat(ids(plan)).containsExactly("full/y");
        assertThat(plan.skipped()).containsExactly(new Attempt("blind/x", 0, "unsupported_vision", 0));

        RoutePlanner.Plan text = capabilityPlanner().plan(ask("m").build(), null, rng::nextDouble);
        assertThat(ids(text)).containsExactly("blind/x", "full/y");
        assertThat(text.skipped()).isEmpty();
    }

    @Test
    void aPromptBeyondTheContextWindowSkipsTheTargetAndNothingLeftIs400() {
        String big = "word ".repeat(200); // ~1000 chars: ~250 tokens against a 100-token window
        RoutePlanner.Plan plan = capabilityPlanner()
                .plan(ask("m").messages(List.of(ChatMessage.of("user", big))).build(), null, rng::nextDouble);
        assertThat(plan.skipped()).extracting(Attempt::errorCode).containsExactly("context_window_too_small");
        ChatRequest onlyBlind =
                ask("blind/x").messages(List.of(ChatMessage.of("user", big))).build();
        assertThatThrownBy(() -> capabilityPlanner().plan(onlyBlind, null, rng::nextDouble))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("no_capable_target");
                    assertThat(e.getMessage()).contains("blind/x: context_window_too_small");
                });
    }

    @Test
    void contextWindowFallbacksAreResolvedFromTheAlias() {
        RoutePlanner p =
                planner(Map.of("m", new AliasSpec(List.of("pa/x"), null, null, null, null, List.of("pb/big", "pa/x"))));
        RoutePlanner.Plan plan = p.plan(ask("m").build(), null, rng::nextDouble);
        assertThat(plan.contextFallbacks())
                .extracting(Target::id)
                .as("targets already in the plan are left out")
                .containsExactly("pb/big");
    }

    @Test
    void targetsAppearOnceWithAndWithoutTheRequestsFallbacks() {
        RoutePlanner p = planner(Map.of(
                "m", new AliasSpec(List.of("pa/x", "pb/y", "pa/x"), null, null, null, null, List.of("pc/z", "pb/y")),
                "n", new AliasSpec(List.of("pb/y", "pc/z"))));
        RoutePlanner.Plan alone = p.plan(ask("m").build(), null, rng::nextDouble);
        assertThat(alone.targets()).extracting(Target::id).containsExactly("pa/x", "pb/y");
        assertThat(alone.contextFallbacks()).extracting(Target::id).containsExactly("pc/z");

        RoutePlanner.Plan withFallbacks = p.plan(ask("m").build(), List.of("n", "pa/x", "n"), rng::nextDouble);
        assertThat(withFallbacks.targets()).extracting(Target::id).containsExactly("pa/x", "pb/y", "pc/z");
        assertThat(withFallbacks.contextFallbacks())
                .as("a target the fallbacks already brought is not a context fallback again")
                .isEmpty();
    }

    // ------------------------------------------------------------------ retry budget

    @Test
    void theRetryBudgetAllowsAFractionOfRecentRequests() {
        RetryBudget budget = new RetryBudget(new RoutingSpec(0.2, 0, 10_000L));
        long t = 5_000_000_000L;
        for (int i = 0; i < 10; i++) {
            budget.request(t);
        }
        assertThat(budget.tryRetry(t)).isTrue();
        assertThat(budget.tryRetry(t)).isTrue();
        assertThat(budget.tryRetry(t)).as("20% of 10 requests used up").isFalse();
        long later = t + 11_000_000_000L; // the window has moved past those requests
        for (int i = 0; i < 5; i++) {
            budget.request(later);
        }
        assertThat(budget.tryRetry(later)).isTrue();
        assertThat(budget.tryRetry(later)).isFalse();
    }

    @Test
    void aQuietGatewayStillGetsItsMinimumRetries() {
        RetryBudget budget = new RetryBudget(new RoutingSpec(0.0, 1, 2_000L));
        long t = 0;
        assertThat(budget.tryRetry(t)).isTrue();
        assertThat(budget.tryRetry(t)).isTrue();
        assertThat(budget.tryRetry(t)).isFalse();
    }
}
