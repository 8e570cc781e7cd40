using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReviewFlow.Testing;

/// <summary>A span as an OTLP collector receives it; <see cref="Service"/> is the exporting host's service.name;
/// <see cref="LinkedSpanIds"/>: the span ids of its links (spans of other traces it was started for).</summary>
public sealed record RecordedSpan(string Service, string Scope, string Name, int Kind, string TraceId, string SpanId, string ParentSpanId,
    IReadOnlyList<string> LinkedSpanIds);

/// <summary>
/// A stand-in OpenTelemetry collector: OTLP over HTTP (protobuf, the .NET exporter's default with http/protobuf) on
/// loopback, recording the spans it receives (POST /v1/traces) and accepting metrics and logs. The protobuf is read by
/// hand, only the fields a test needs (opentelemetry-proto, trace/v1): no OTLP package is served here.
/// </summary>
public sealed class OtlpRecorder : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<RecordedSpan> _spans = new();

    public Uri Endpoint { get; private set; } = null!;
    public IReadOnlyList<RecordedSpan> Spans => _spans.ToArray();

    OtlpRecorder(WebApplication app) => _app = app;

    public static async Task<OtlpRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var recorder = new OtlpRecorder(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            recorder.Record(body.ToArray());
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        recorder.Endpoint = new Uri($"http://127.0.0.1:{port}");
        return recorder;
    }

    /// <summary>The environment that points a host's OpenTelemetry SDK here, exporting every 200 ms.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }   Resource { repeated KeyValue attributes = 1 }
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }          InstrumentationScope { string name = 1 }
    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated Link links = 13 }
    // Link { bytes trace_id = 1; bytes span_id = 2 }
    // KeyValue { string key = 1; AnyValue value = 2 }  AnyValue { string string_value = 1 }
    void Record(ReadOnlySpan<byte> request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            var fields = Fields(resourceSpans.Bytes).ToList();
            var service = fields.Where(f => f.Number == 1).SelectMany(r => Fields(r.Bytes)).Where(f => f.Number == 1)
                .Select(kv => Fields(kv.Bytes).ToList())
                .Where(kv => Text(kv, 1) == "service.name")
                .Select(kv => Text(Fields(kv.Single(f => f.Number == 2).Bytes).ToList(), 1))
                .FirstOrDefault() ?? "";
            foreach (var scopeSpans in fields.Where(f => f.Number == 2))
            {
                var scopeFields = Fields(scopeSpans.Bytes).ToList();
                var scope = scopeFields.Where(f => f.Number == 1).Select(s => Text(Fields(s.Bytes).ToList(), 1)).FirstOrDefault() ?? "";
                foreach (var span in scopeFields.Where(f => f.Number == 2))
                {
                    var s = Fields(span.Bytes).ToList();
                    _spans.Enqueue(new RecordedSpan(service, scope, Text(s, 5), (int)(s.FirstOrDefault(f => f.Number == 6)?.Varint ?? 0),
                        Hex(s, 1), Hex(s, 2), Hex(s, 4), s.Where(f => f.Number == 13).Select(l => Hex(Fields(l.Bytes), 2)).ToList()));
                }
            }
        }
    }

    sealed record Field(int Number, ulong Varint, byte[] Bytes);

    static string Text(IReadOnlyList<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { } f ? Encoding.UTF8.GetString(f.Bytes) : "";

    static string Hex(IReadOnlyList<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { } f ? Convert.ToHexStringLower(f.Bytes) : "";

    static List<Field> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<Field>();
        var i = 0;
        while (i < message.Length)
        {
            var tag = ReadVarint(message, ref i);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: fields.Add(new Field(number, ReadVarint(message, ref i), [])); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)ReadVarint(message, ref i);
                    fields.Add(new Field(number, 0, message.Slice(i, length).ToArray()));
                    i += length;
                    break;
                default: throw new InvalidDataException($"protobuf wire type {tag & 7} at byte {i}");
            }
        }
        return fields;
    }

    static ulong ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
