import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The OIDC provider's compose healthcheck. Its image is distroless (no shell, curl or
 * wget), but its JVM can run a single source file: {@code java HealthCheck.java <url>}
 * exits 0 when the URL answers 200 and non-zero otherwise.
 */
class HealthCheck {

    public static void main(String[] args) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(3)).build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding());
        System.exit(response.statusCode() == 200 ? 0 : 1);
    }
}
