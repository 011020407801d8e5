package io.junction.provider.bedrock.sigv4;

import java.util.Objects;

/**
 * AWS credentials for SigV4: an access key id, its secret, and for temporary credentials a session
 * token. {@link #toString()} shows only the access key id.
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {

    public AwsCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (sessionToken != null && sessionToken.isEmpty()) {
            sessionToken = null;
        }
    }

    @Override
    public String toString() {
        return "AwsCredentials[" + accessKeyId + ", secret=<redacted>"
                + (sessionToken == null ? "" : ", sessionToken=<redacted>") + "]";
    }
}
