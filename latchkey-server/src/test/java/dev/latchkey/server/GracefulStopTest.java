package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.junit.jupiter.api.Test;

class GracefulStopTest {

    private static void awaitShutdownStarted(GracefulHandler graceful) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!graceful.isShutdown()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Jetty never began its graceful shutdown");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void stop_requestInFlight_completesWhileReadinessIsAlready503() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestServer test = TestServer.start(b -> b.routes(routes -> routes.get("/slow", ctx -> {
            entered.countDown();
            release.await();
            ctx.result("finished");
        })));
        try {
            CompletableFuture<HttpResponse<String>> slow =
                    test.client.sendAsync(test.request("/slow").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            test.server.beginDrain();
            HttpResponse<String> ready = test.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("{\"status\":\"draining\"}");
            assertThat(test.get("/health/live").statusCode()).isEqualTo(200);

            CountDownLatch stopping = new CountDownLatch(1);
            test.server.jetty().addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStopping(LifeCycle event) {
                    stopping.countDown();
                }
            });
            Thread stopper = Thread.ofPlatform().start(test.server::stop);
            assertThat(stopping.await(10, TimeUnit.SECONDS)).isTrue();
            awaitShutdownStarted(test.server.jetty().getDescendant(GracefulHandler.class));
            assertThat(slow).isNotDone();

            release.countDown();

            HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("finished");
            stopper.join(Duration.ofSeconds(10));
            assertThat(stopper.isAlive()).isFalse();
        } finally {
            release.countDown();
            test.close();
        }
    }

    @Test
    void stop_requestNeverFinishing_returnsAfterDrainTimeout() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TestServer test = TestServer.start(b -> b.drainTimeout(Duration.ofMillis(300))
                .routes(routes -> routes.get("/stuck", ctx -> {
                    entered.countDown();
                    never.await();
                })));
        try {
            CompletableFuture<HttpResponse<String>> stuck =
                    test.client.sendAsync(test.request("/stuck").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(test.server::stop);

            assertThat(stopped).succeedsWithin(Duration.ofSeconds(10));
            assertThat(test.server.isDraining()).isTrue();
            // Past the drain timeout Jetty closes what is left, so the stuck exchange fails.
            assertThat(stuck).failsWithin(Duration.ofSeconds(10));
        } finally {
            never.countDown();
            test.close();
        }
    }
}
