package io.swarmscaler.controller.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The credentials file of the seed's Docker secret {@code aws}, read as {@code sh} would read it. */
class AwsEnvFileTest {
    private static final String SOURCE = "AWS_ENV_FILE /run/secrets/aws";

    static Stream<Arguments> readable() {
        return Stream.of(
                Arguments.of("the seed's secret: blank first line, export, leading blanks",
                        "\n export AWS_ACCESS_KEY_ID=AKIAEXAMPLE1\n export AWS_SECRET_ACCESS_KEY=wJal/rXUt+nFEMI\n\n",
                        Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE1", "AWS_SECRET_ACCESS_KEY", "wJal/rXUt+nFEMI")),
                Arguments.of("without export", "AWS_ACCESS_KEY_ID=AKIA2\nAWS_SECRET_ACCESS_KEY=s2\n",
                        Map.of("AWS_ACCESS_KEY_ID", "AKIA2", "AWS_SECRET_ACCESS_KEY", "s2")),
                Arguments.of("single quotes keep blanks, # and backslashes", "export K='a b#c\\d'",
                        Map.of("K", "a b#c\\d")),
                Arguments.of("double quotes with escapes", "export K=\"a\\\"b\\\\c d\"", Map.of("K", "a\"b\\c d")),
                Arguments.of("quotes joined to plain text, as sh joins them", "K=ab'c d'\"e\"", Map.of("K", "abc de")),
                Arguments.of("comment lines and trailing comments",
                        "# AWS keys for the scaler\nK=v # the key\n  # indented comment\nL='w' #x",
                        Map.of("K", "v", "L", "w")),
                Arguments.of("CRLF line ends", "export A=1\r\nexport B='2'\r\n\r\nexport C=\"3\"\r\n",
                        Map.of("A", "1", "B", "2", "C", "3")),
                Arguments.of("tabs after export", "export\tA=1", Map.of("A", "1")),
                Arguments.of("an empty value", "A=\nB=''", Map.of("A", "", "B", "")),
                Arguments.of("a name set twice keeps the last value", "A=1\nA=2", Map.of("A", "2")),
                Arguments.of("a byte order mark", "\uFEFFexport A=1", Map.of("A", "1")),
                Arguments.of("no final newline, and = inside the value", "A=x=y", Map.of("A", "x=y")),
                Arguments.of("an empty file", "", Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readable")
    void reads(String description, String text, Map<String, String> expected) {
        assertThat(AwsEnvFile.parse(text, SOURCE)).isEqualTo(expected);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a line that is no assignment", "export A=1\nthis is S3CR3T\n", "line 2 is not valid"),
                Arguments.of("blanks around =", "export AWS_SECRET_ACCESS_KEY = S3CR3T", "line 1 is not valid"),
                Arguments.of("export alone", "export\nA=1", "line 1 is not valid"),
                Arguments.of("a name that is not a shell name", "1KEY=S3CR3T", "line 1 is not valid"),
                Arguments.of("an unclosed single quote", "A=1\r\nAWS_SECRET_ACCESS_KEY='S3CR3T\r\n",
                        "line 2 (AWS_SECRET_ACCESS_KEY): the single quote is not closed"),
                Arguments.of("an unclosed double quote", "\n\nK=\"S3CR3T", "line 3 (K): the double quote is not closed"),
                Arguments.of("text after the value", "K=S3CR3T MORE", "line 1 (K): unexpected text after the value"),
                Arguments.of("a shell expansion", "K=$S3CR3T", "line 1 (K): the value contains the shell character $"),
                Arguments.of("a command substitution in double quotes", "K=\"`S3CR3T`\"",
                        "line 1 (K): the value contains the shell character `"),
                Arguments.of("a second command", "K=S3CR3T;reboot", "line 1 (K): the value contains the shell character ;"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsNamingTheLineWithoutItsValue(String description, String text, String expected) {
        assertThatThrownBy(() -> AwsEnvFile.parse(text, SOURCE))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining(SOURCE + " " + expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CR3T").doesNotContain("MORE"));
    }

    @org.junit.jupiter.api.Test
    void reportsEveryBadLineAtOnce() {
        assertThatThrownBy(() -> AwsEnvFile.parse("A='x\nB=1\nC=\"y\n", SOURCE))
                .isInstanceOf(AwsConfigurationException.class)
                .satisfies(e -> assertThat(((AwsConfigurationException) e).problems()).hasSize(2)
                        .anyMatch(p -> p.contains("line 1 (A)")).anyMatch(p -> p.contains("line 3 (C)")));
    }
}
