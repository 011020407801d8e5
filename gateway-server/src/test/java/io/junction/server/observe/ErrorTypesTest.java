package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The closed error_type vocabulary: whose fault it was, from status, code and origin. */
class ErrorTypesTest {

    @ParameterizedTest
    @CsvSource(
            nullValues = "null",
            value = {
                "200, null, false, none",
                "200, null, true, none",
                "499, null, true, caller_cancelled",
                "400, null, false, caller_invalid_request",
                "415, unsupported_media_type, false, caller_invalid_request",
                "401, invalid_api_key, false, caller_auth",
                "403, model_not_allowed, false, policy_model_not_allowed",
                "404, model_not_found, false, caller_not_found",
                "413, request_too_large, false, caller_too_large",
                "429, null, false, policy_rate_limited",
                "402, null, false, policy_budget_exceeded",
                "500, internal_error, false, gateway_internal",
                "500, internal_error, true, gateway_internal",
                "429, null, true, provider_rate_limited",
                "401, null, true, provider_auth",
                "403, model_not_allowed, true, provider_auth",
                "400, context_length_exceeded, true, provider_rejected",
                "503, circuit_open, true, provider_unavailable",
                "502, upstream_unavailable, true, provider_unavailable",
                "504, ttft_timeout, true, provider_timeout",
                "504, request_timeout, true, provider_timeout",
                "502, bad_upstream_response, true, provider_malformed",
                "529, null, true, provider_error",
                "503, null, false, gateway_unavailable",
            })
    void classifies(int status, String code, boolean fromProvider, String expected) {
        assertThat(ErrorTypes.classify(status, code, fromProvider)).isEqualTo(expected);
    }
}
