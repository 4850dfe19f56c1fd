package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.FULL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Wherever a misspelt or unknown key lands in a valid file, it is reported with its full path. */
class UnknownKeyPropertyTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)(?:\\[(\\d+)])?");

    /** Every mapping of {@link ConfigFixtures#FULL}, by path, with the keys the schema allows there. */
    private static final Map<String, List<String>> PLACES = places();

    private static Map<String, List<String>> places() {
        Map<String, List<String>> places = new LinkedHashMap<>();
        places.put("", ConfigValidator.TOP_KEYS);
        places.put("server", ConfigValidator.SERVER_KEYS);
        places.put("database", ConfigValidator.DATABASE_KEYS);
        places.put("keys", ConfigValidator.KEYS_KEYS);
        places.put("development", ConfigValidator.DEVELOPMENT_KEYS);
        places.put("logging", ConfigValidator.LOGGING_KEYS);
        places.put("refresh", ConfigValidator.REFRESH_KEYS);
        places.put("tenants.acme", ConfigValidator.TENANT_KEYS);
        places.put("tenants.acme.issuers[0]", ConfigValidator.ISSUER_KEYS);
        places.put("tenants.acme.identity", ConfigValidator.IDENTITY_KEYS);
        places.put("tenants.acme.apiKeys", ConfigValidator.API_KEYS_KEYS);
        places.put("tenants.acme.login", ConfigValidator.LOGIN_KEYS);
        places.put("tenants.acme.cors", ConfigValidator.CORS_KEYS);
        places.put("tenants.acme.services[0]", ConfigValidator.SERVICE_KEYS);
        places.put("tenants.acme.resources.mcp", ConfigValidator.RESOURCE_KEYS);
        places.put("tenants.acme.resources.mcp.authorization", ConfigValidator.AUTHORIZATION_KEYS);
        places.put("tenants.acme.resources.graph", ConfigValidator.RESOURCE_KEYS);
        places.put("tenants.acme.resources.graph.exchange", ConfigValidator.EXCHANGE_KEYS);
        return Map.copyOf(places);
    }

    record Placement(String place, String key) {
        String path() {
            return KeyPaths.child(place, key);
        }
    }

    @Property(tries = 200)
    void unknownKeys_anywhere_areReportedWithTheirPath(@ForAll("placements") List<Placement> placements) {
        ObjectNode root = (ObjectNode) YAML.readTree(FULL);
        for (Placement placement : placements) {
            at(root, placement.place()).put(placement.key(), "surprise");
        }

        List<ConfigProblem> problems = problems(loader().loadText(YAML.writeValueAsString(root)));

        for (Placement placement : placements) {
            assertThat(problems).as(placement.path()).anySatisfy(problem -> {
                assertThat(problem.path()).isEqualTo(placement.path());
                assertThat(problem.message())
                        .startsWith("unknown key '" + placement.key() + "'; allowed keys here: ")
                        .endsWith(String.join(", ", PLACES.getOrDefault(placement.place(), List.of())));
            });
        }
        assertThat(problems).allSatisfy(problem -> assertThat(problem.message()).startsWith("unknown key"));
    }

    @Provide
    Arbitrary<List<Placement>> placements() {
        Arbitrary<String> places =
                Arbitraries.of(PLACES.keySet().stream().sorted().toList());
        Arbitrary<String> keys = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars('_', '-', '.', ' ', '$', 'é')
                .ofMinLength(1)
                .ofMaxLength(16);
        return Combinators.combine(places, keys)
                .as(Placement::new)
                .filter(placement ->
                        !PLACES.getOrDefault(placement.place(), List.of()).contains(placement.key()))
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    private static ObjectNode at(ObjectNode root, String place) {
        JsonNode node = root;
        if (place.isEmpty()) {
            return root;
        }
        Matcher matcher = SEGMENT.matcher(place);
        while (matcher.find()) {
            node = node.get(matcher.group(1));
            if (matcher.group(2) != null) {
                node = node.get(Integer.parseInt(matcher.group(2)));
            }
        }
        return (ObjectNode) node;
    }
}
