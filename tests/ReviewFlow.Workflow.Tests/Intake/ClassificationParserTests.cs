using System.Text.Json.Nodes;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Tests.TestSupport;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Intake;

public sealed class ClassificationParserTests
{
    readonly ClassificationParser _parser = new(new IntakeLimits());

    ParsedClassification Parse(byte[] json) => _parser.Parse(json, KnownTypes);

    ParsedClassification Parse(Action<JsonObject> change) => Parse(Example(change));

    /// <summary>Asserts the result is refused and names <paramref name="path"/>; returns that field's reasons.</summary>
    static string[] AssertRefused(ParsedClassification parsed, string path)
    {
        Assert.False(parsed.IsValid);
        Assert.Null(parsed.Classification);
        var errors = parsed.Errors.ToDictionary();
        Assert.True(errors.ContainsKey(path),
            $"expected an error for '{path}', got: {parsed.Errors}");
        return errors[path];
    }

    [Fact]
    public void The_documented_example_parses_into_the_classification_it_describes()
    {
        var parsed = Parse(Utf8(ExampleJson));

        Assert.True(parsed.IsValid, parsed.Errors.ToString());
        Assert.Equal(0, parsed.Errors.Count);
        Assert.Equal("INV-2026-000123", parsed.DocumentId);
        Assert.Equal("2026.11.1", parsed.ModelVersion);

        var c = parsed.Classification!;
        Assert.Equal("INV-2026-000123", c.DocumentId);
        Assert.Equal("ap-inbox", c.SourceSystem);
        Assert.Equal("invoice", c.DocumentType);
        Assert.Equal("utilities", c.Label);
        Assert.Equal(0.62, c.Confidence);
        Assert.Equal([new LabelScore("telecom", 0.30)], c.Alternatives!);
        Assert.Equal(new ModelInfo("2026.11.1", "doc-classifier"), c.Model);
        Assert.Equal("https://example.test/doc/1", c.ContentUri);
        Assert.Equal("…", c.Excerpt);
        Assert.Equal(new Dictionary<string, string> { ["amount"] = "1200.00" }, c.Metadata!);
        Assert.Equal("c-1", c.CorrelationId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), c.ClassifiedAt);
    }

    [Fact]
    public void Only_the_required_fields_are_enough()
    {
        var parsed = Parse(Utf8("""{"documentId":"D-1","documentType":"claim","label":"water-damage","confidence":0.9,"model":{"version":"1"}}"""));

        Assert.True(parsed.IsValid, parsed.Errors.ToString());
        var c = parsed.Classification!;
        Assert.Equal(new ModelInfo("1", null), c.Model);
        Assert.Null(c.Alternatives);
        Assert.Null(c.Metadata);
        Assert.Null(c.ClassifiedAt);
    }

    [Fact]
    public void Unparseable_json_is_refused_for_the_whole_payload()
    {
        var parsed = Parse(Utf8("""{"documentId":"INV-1","confidence":"""));

        var reasons = AssertRefused(parsed, "$");
        Assert.Contains(reasons, r => r.Contains("not valid JSON"));
        Assert.Null(parsed.DocumentId);
    }

    [Fact]
    public void A_json_array_instead_of_an_object_is_refused_for_the_whole_payload()
    {
        var parsed = Parse(Utf8($"[{ExampleJson}]"));

        var reasons = AssertRefused(parsed, "$");
        Assert.Contains(reasons, r => r.Contains("expected a JSON object"));
        Assert.Null(parsed.DocumentId);
    }

    [Theory]
    [InlineData("documentId")]
    [InlineData("documentType")]
    [InlineData("label")]
    [InlineData("confidence")]
    public void A_missing_required_field_is_named(string field)
    {
        var parsed = Parse(o => o.Remove(field));

        Assert.Equal(["is required"], AssertRefused(parsed, field));
    }

    [Fact]
    public void A_null_required_field_counts_as_missing()
    {
        var parsed = Parse(o => o["label"] = null);

        Assert.Equal(["is required"], AssertRefused(parsed, "label"));
    }

    [Fact]
    public void A_missing_model_version_is_named_by_its_path()
    {
        var parsed = Parse(o => o["model"]!.AsObject().Remove("version"));

        Assert.Equal(["is required"], AssertRefused(parsed, "model.version"));
        Assert.Null(parsed.ModelVersion);
        Assert.Equal("INV-2026-000123", parsed.DocumentId);
    }

    [Fact]
    public void A_missing_model_is_named()
    {
        var parsed = Parse(o => o.Remove("model"));

        AssertRefused(parsed, "model");
        Assert.Null(parsed.ModelVersion);
    }

    [Fact]
    public void Confidence_as_a_string_is_refused_as_the_wrong_type()
    {
        var parsed = Parse(o => o["confidence"] = "0.9");

        Assert.Equal(["expected a number, got a string"], AssertRefused(parsed, "confidence"));
    }

    [Fact]
    public void Label_as_a_number_is_refused_as_the_wrong_type()
    {
        var parsed = Parse(o => o["label"] = 42);

        Assert.Equal(["expected a string, got a number"], AssertRefused(parsed, "label"));
    }

    [Fact]
    public void Model_version_as_a_number_is_refused_as_the_wrong_type()
    {
        var parsed = Parse(o => o["model"]!["version"] = 2026);

        Assert.Equal(["expected a string, got a number"], AssertRefused(parsed, "model.version"));
        Assert.Null(parsed.ModelVersion);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    public void Confidence_outside_zero_to_one_is_refused(double confidence)
    {
        var parsed = Parse(o => o["confidence"] = confidence);

        var reason = Assert.Single(AssertRefused(parsed, "confidence"));
        Assert.StartsWith("must be between 0 and 1", reason);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Confidence_at_the_ends_of_the_range_is_accepted(double confidence)
    {
        var parsed = Parse(o => o["confidence"] = confidence);

        Assert.True(parsed.IsValid, parsed.Errors.ToString());
        Assert.Equal(confidence, parsed.Classification!.Confidence);
    }

    [Fact]
    public void Confidence_NaN_as_a_string_is_refused()
    {
        var parsed = Parse(o => o["confidence"] = "NaN");

        AssertRefused(parsed, "confidence");
    }

    [Fact]
    public void Confidence_too_large_for_a_double_is_refused_as_not_finite()
    {
        var json = ExampleJson.Replace("\"confidence\":0.62", "\"confidence\":1e400", StringComparison.Ordinal);
        Assert.Contains("1e400", json);

        var parsed = Parse(Utf8(json));

        Assert.Equal(["must be a finite number"], AssertRefused(parsed, "confidence"));
    }

    [Fact]
    public void A_bad_alternative_confidence_is_named_by_its_index()
    {
        var parsed = Parse(o => o["alternatives"] = JsonNode.Parse("""[{"label":"telecom","confidence":0.3},{"label":"water","confidence":1.5}]"""));

        AssertRefused(parsed, "alternatives[1].confidence");
        Assert.False(parsed.Errors.Has("alternatives[0].confidence"));
    }

    [Fact]
    public void A_five_megabyte_excerpt_is_refused_as_too_long_not_as_too_big_a_payload()
    {
        var parsed = Parse(o => o["excerpt"] = new string('x', 5 * 1024 * 1024));

        var reason = Assert.Single(AssertRefused(parsed, "excerpt"));
        Assert.Contains("65536", reason);
        Assert.False(parsed.Errors.Has("$"));
        Assert.Equal("INV-2026-000123", parsed.DocumentId);
    }

    [Fact]
    public void An_excerpt_at_the_limit_is_accepted()
    {
        var parsed = Parse(o => o["excerpt"] = new string('x', new IntakeLimits().MaxExcerptChars));

        Assert.True(parsed.IsValid, parsed.Errors.ToString());
    }

    [Fact]
    public void A_payload_over_the_limit_is_refused_before_parsing()
    {
        var parser = new ClassificationParser(new IntakeLimits { MaxPayloadBytes = 100 });

        var parsed = parser.Parse(Utf8(ExampleJson), KnownTypes);

        var reason = Assert.Single(AssertRefused(parsed, "$"));
        Assert.Contains("limit is 100", reason);
        Assert.Null(parsed.DocumentId);
    }

    /// <summary>The JSON with the first "~BAD~" replaced by <paramref name="bytes"/> (the serializer would escape them).</summary>
    static byte[] Splice(byte[] json, params byte[] bytes)
    {
        var at = json.AsSpan().IndexOf("~BAD~"u8);
        return [.. json[..at], .. bytes, .. json[(at + 5)..]];
    }

    /// <summary>The example with bytes that are not UTF-8 (a lone lead byte, 0xFF) in the excerpt's text.</summary>
    static byte[] WithBrokenUtf8InTheExcerpt() => Splice(Example(o => o["excerpt"] = "before~BAD~after"), 0xC3, 0xFF);

    [Fact]
    public void Bytes_that_are_not_UTF8_in_a_string_are_refused_naming_the_field_and_the_document_id_stays_readable()
    {
        var parsed = Parse(WithBrokenUtf8InTheExcerpt());

        Assert.Equal(["not valid UTF-8"], AssertRefused(parsed, "excerpt"));
        Assert.Equal("INV-2026-000123", parsed.DocumentId);
    }

    [Fact]
    public void An_escaped_lone_surrogate_in_a_string_is_refused_naming_the_field()
    {
        var parsed = Parse(Splice(Example(o => o["label"] = "~BAD~"), "\\ud800x"u8.ToArray()));

        Assert.Contains("not valid UTF-16", Assert.Single(AssertRefused(parsed, "label")));
    }

    [Fact]
    public void A_metadata_key_that_is_not_UTF8_is_refused_not_thrown()
    {
        var parsed = Parse(Splice(Example(o => o["metadata"] = new JsonObject { ["k~BAD~"] = "v" }), 0xFF));

        Assert.Contains("not valid UTF-8", Assert.Single(AssertRefused(parsed, "metadata")));
    }

    [Fact]
    public void No_single_corrupted_byte_anywhere_in_a_result_makes_the_parser_throw()
    {
        var json = Utf8(ExampleJson);
        foreach (var bad in new byte[] { 0xFF, 0xC3, 0x80, 0x00, (byte)'"', (byte)'\\', (byte)'{' })
            for (var i = 0; i < json.Length; i++)
            {
                var copy = (byte[])json.Clone();
                copy[i] = bad;
                var parsed = Parse(copy); // throws on a miss: the test fails naming the exception
                Assert.True(parsed.IsValid || parsed.Errors.Count > 0);
            }
    }

    [Theory]
    [InlineData("null", "expected a JSON object, got null")]
    [InlineData("", "the body is empty")]
    [InlineData(" \r\n ", "the body is empty")]
    [InlineData("42", "expected a JSON object, got a number")]
    [InlineData("\"text\"", "expected a JSON object, got a string")]
    public void A_body_that_is_not_a_JSON_object_is_refused_with_a_plain_reason(string body, string reason)
    {
        var parsed = Parse(Utf8(body));

        Assert.Equal([reason], AssertRefused(parsed, "$"));
        Assert.Equal(parsed.Errors.ToString(), _parser.CheckSyntax(Utf8(body))?.ToString());
    }

    [Fact]
    public void The_syntax_check_passes_a_well_formed_object_even_with_bad_fields_for_the_parser_to_name()
    {
        Assert.Null(_parser.CheckSyntax(Utf8(ExampleJson)));
        Assert.Null(_parser.CheckSyntax(WithBrokenUtf8InTheExcerpt()));
        Assert.Null(_parser.CheckSyntax(Example(o => o.Remove("label"))));
    }

    [Fact]
    public void The_syntax_check_refuses_what_the_parser_refuses_for_the_whole_payload()
    {
        var small = new ClassificationParser(new IntakeLimits { MaxPayloadBytes = 100 });

        Assert.Contains("limit is 100", small.CheckSyntax(Utf8(ExampleJson))!.ToString());
        Assert.Contains("not valid JSON", _parser.CheckSyntax(Utf8("""{"documentId":"INV-1","confidence":"""))!.ToString());
        Assert.Contains("not valid JSON", _parser.CheckSyntax(Utf8("{} trailing"))!.ToString());
        Assert.Contains("expected a JSON object, got an array", _parser.CheckSyntax(Utf8("[1]"))!.ToString());
    }

    [Fact]
    public void Intake_limits_default_to_8_MB_payloads_and_64K_excerpt_characters()
    {
        var limits = new IntakeLimits();

        Assert.Equal(8 * 1024 * 1024, limits.MaxPayloadBytes);
        Assert.Equal(64 * 1024, limits.MaxExcerptChars);
    }

    [Fact]
    public void An_unknown_document_type_is_refused_listing_the_known_ones()
    {
        var parsed = Parse(o => o["documentType"] = "receipt");

        var reason = Assert.Single(AssertRefused(parsed, "documentType"));
        Assert.Contains("'receipt'", reason);
        Assert.Contains("known: claim, contract, invoice", reason);
    }

    [Theory]
    [InlineData("utilities.water")]
    [InlineData("utilities water")]
    [InlineData("utilities*")]
    [InlineData("utilities#")]
    [InlineData("-utilities")]
    public void A_label_that_cannot_be_part_of_a_routing_key_is_refused(string label)
    {
        var parsed = Parse(o => o["label"] = label);

        AssertRefused(parsed, "label");
    }

    [Fact]
    public void A_label_longer_than_64_characters_is_refused()
    {
        var parsed = Parse(o => o["label"] = new string('a', 65));

        AssertRefused(parsed, "label");
    }

    [Fact]
    public void A_label_with_a_trailing_newline_is_refused()
    {
        var parsed = Parse(o => o["label"] = "utilities\n");

        AssertRefused(parsed, "label");
    }

    [Fact]
    public void A_document_id_with_a_trailing_newline_is_refused()
    {
        var parsed = Parse(o => o["documentId"] = "INV-2026-000123\n");

        AssertRefused(parsed, "documentId");
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("ftp://example.test/doc/1")]
    [InlineData("/doc/1")]
    [InlineData("file:///etc/passwd")]
    public void A_content_uri_that_is_not_absolute_http_is_refused(string uri)
    {
        var parsed = Parse(o => o["contentUri"] = uri);

        AssertRefused(parsed, "contentUri");
    }

    [Fact]
    public void A_nested_metadata_object_is_refused_naming_the_entry()
    {
        var parsed = Parse(o => o["metadata"] = JsonNode.Parse("""{"amount":"1200.00","vendor":{"name":"ACME"}}"""));

        Assert.Equal(["expected a string, number or boolean"], AssertRefused(parsed, "metadata.vendor"));
        Assert.False(parsed.Errors.Has("metadata.amount"));
    }

    [Fact]
    public void Metadata_numbers_and_booleans_are_kept_as_their_text()
    {
        var parsed = Parse(o => o["metadata"] = JsonNode.Parse("""{"amount":1200.50,"pages":3,"urgent":true,"scanned":false,"note":null,"vendor":"ACME"}"""));

        Assert.True(parsed.IsValid, parsed.Errors.ToString());
        Assert.Equal(new Dictionary<string, string>
        {
            ["amount"] = "1200.50",
            ["pages"] = "3",
            ["urgent"] = "true",
            ["scanned"] = "false",
            ["vendor"] = "ACME",
        }, parsed.Classification!.Metadata!);
    }

    [Fact]
    public void A_bad_timestamp_is_named()
    {
        var parsed = Parse(o => o["classifiedAt"] = "yesterday");

        AssertRefused(parsed, "classifiedAt");
    }

    [Fact]
    public void Every_bad_field_is_named_not_only_the_first()
    {
        var parsed = Parse(o =>
        {
            o["confidence"] = 1.5;
            o["label"] = "a.b";
            o["documentType"] = "receipt";
        });

        AssertRefused(parsed, "confidence");
        AssertRefused(parsed, "label");
        AssertRefused(parsed, "documentType");
        Assert.Equal(3, parsed.Errors.Count);
    }

    [Fact]
    public void The_document_id_is_still_readable_when_other_fields_are_bad()
    {
        var parsed = Parse(o =>
        {
            o["confidence"] = 1.5;
            o["label"] = "a b";
        });

        Assert.False(parsed.IsValid);
        Assert.Equal("INV-2026-000123", parsed.DocumentId);
        Assert.Equal("2026.11.1", parsed.ModelVersion);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("$routing-policy")]
    [InlineData("")]
    public void The_document_id_is_not_readable_when_it_is_itself_bad(string documentId)
    {
        var parsed = Parse(o => o["documentId"] = documentId);

        AssertRefused(parsed, "documentId");
        Assert.Null(parsed.DocumentId);
    }

    [Fact]
    public void The_document_id_is_not_readable_when_it_is_not_a_string()
    {
        var parsed = Parse(o => o["documentId"] = 123);

        AssertRefused(parsed, "documentId");
        Assert.Null(parsed.DocumentId);
    }

    [Fact]
    public void A_document_id_longer_than_128_characters_is_refused()
    {
        var parsed = Parse(o => o["documentId"] = new string('A', 129));

        AssertRefused(parsed, "documentId");
        Assert.Null(parsed.DocumentId);
    }

    [Fact]
    public void A_bad_alternative_after_a_non_object_one_is_named_by_its_own_index()
    {
        var parsed = Parse(o => o["alternatives"] = JsonNode.Parse("""["telecom",{"label":"water.damage","confidence":0.3}]"""));

        AssertRefused(parsed, "alternatives[0]");
        AssertRefused(parsed, "alternatives[1].label");
        Assert.False(parsed.Errors.Has("alternatives[0].label"), parsed.Errors.ToString());
    }

    [Fact]
    public void Errors_are_reported_as_one_reason_line_per_field()
    {
        var parsed = Parse(o => o["confidence"] = 1.5);

        Assert.Equal(["confidence: must be between 0 and 1, got 1.5"], parsed.Errors.ToReasons());
    }

    [Fact]
    public void A_typed_result_is_checked_by_the_same_rules()
    {
        var c = Classified(label: "a.b", confidence: 1.5, documentType: "receipt") with { ContentUri = "ftp://x" };

        var errors = _parser.Check(c, KnownTypes);

        Assert.True(errors.Has("label"));
        Assert.True(errors.Has("confidence"));
        Assert.True(errors.Has("documentType"));
        Assert.True(errors.Has("contentUri"));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void A_valid_typed_result_has_no_errors()
    {
        Assert.Equal(0, _parser.Check(Classified(), KnownTypes).Count);
    }

    [Fact]
    public void A_priority_is_read_and_an_unknown_one_is_refused_naming_the_known_ones()
    {
        Assert.Equal("urgent", Parse(j => j["priority"] = "urgent").Classification!.Priority);
        Assert.Null(Parse(_ => { }).Classification!.Priority);

        var reasons = AssertRefused(Parse(j => j["priority"] = "asap"), "priority");
        Assert.Contains("low, normal, high, urgent", reasons.Single());
    }
}
