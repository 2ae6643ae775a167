using Microsoft.Extensions.Options;

namespace RagFood.Server.Telemetry;

/// <summary>OpenTelemetry export (<c>Telemetry:*</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section: <c>Telemetry</c>.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>The standard variable the OTLP exporter also reads.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Where traces and metrics are sent over OTLP, e.g. <c>http://127.0.0.1:4317</c>. Empty (the default) with
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> unset: nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (default, port 4317) or <c>HttpProtobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "ragfood";

    /// <summary>Collect traces and metrics even with no exporter configured (tests attach an in-memory exporter this
    /// way). Off by default: with nothing to export, nothing is collected.</summary>
    public bool Enabled { get; set; }

    /// <summary>Put prompts, answers and embedded texts on the gen_ai spans. Off by default: they are user data.</summary>
    public bool RecordMessageContent { get; set; }

    /// <summary>True when something will receive the telemetry.</summary>
    public bool IsActive(string? environmentEndpoint) => Enabled || !string.IsNullOrWhiteSpace(OtlpEndpoint) || !string.IsNullOrWhiteSpace(environmentEndpoint);
}

/// <summary>Checks <see cref="TelemetryOptions"/>.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            && (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"Telemetry:OtlpEndpoint '{options.OtlpEndpoint}' is not an absolute http(s) URL; use e.g. http://127.0.0.1:4317.");
        }

        if (options.OtlpProtocol is not ("Grpc" or "HttpProtobuf"))
        {
            failures.Add($"Telemetry:OtlpProtocol '{options.OtlpProtocol}' is not Grpc or HttpProtobuf.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add("Telemetry:ServiceName is empty; use e.g. ragfood.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
